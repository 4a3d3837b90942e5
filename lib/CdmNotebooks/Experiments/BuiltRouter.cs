using CdmNotebooks.Composition;

namespace CdmNotebooks.Experiments;

/// <summary>A router ready for composition, with what building it cost and which shard data identities it was trained on (its lineage).</summary>
public sealed record BuiltRouter(RouterKind Kind, IRouter Router, double TrainSeconds, IReadOnlyList<string> TrainedOnDataIdentities);

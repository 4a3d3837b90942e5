using CdmNotebooks.Composition;

namespace CdmNotebooks.Protection;

/// <summary>One router network training (a classifier or one density-ratio head): what it cost and whether a re-run reused it.</summary>
public sealed record RouterTraining(RouterKind Kind, int DataSets, int Steps, double Seconds, bool FromCache);

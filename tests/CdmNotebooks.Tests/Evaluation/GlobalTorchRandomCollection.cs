namespace CdmNotebooks.Tests.Evaluation;

/// <summary>Tests that train a CdmNet run alone: they rely on libtorch's global generator, and training concurrently with
/// other torch tests in one process was seen to produce NaN losses (cause not yet isolated).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchRandomCollection
{
    public const string Name = "global torch random generator";
}

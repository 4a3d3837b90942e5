namespace CdmNotebooks.Tests.Evaluation;

/// <summary>Tests that rely on libtorch's global random generator (seeded training) run alone, never in parallel with other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchRandomCollection
{
    public const string Name = "global torch random generator";
}

namespace CdmNotebooks.Composition.Registry;

/// <summary>A registry change refused at commit because it conflicts with what other writers committed since its base, or would activate forgotten data; nothing was changed.</summary>
public sealed class RegistryConflictException : InvalidOperationException
{
    /// <summary>A refusal of a change prepared from generation <paramref name="baseGeneration"/> when the registry is at <paramref name="currentGeneration"/>.</summary>
    public RegistryConflictException(long baseGeneration, long currentGeneration, IReadOnlyList<string> conflicts)
        : base(baseGeneration == currentGeneration
            ? $"Registry change refused (registry at generation {currentGeneration}, no other writer committed since the change was prepared): " +
                string.Join("; ", conflicts) + ". Nothing was changed; preparing the change again would not help: retrain the named components without those IDs."
            : $"Registry change refused (prepared from generation {baseGeneration}, registry now at generation {currentGeneration}): " +
                string.Join("; ", conflicts) + ". Nothing was changed. Read the index again, prepare the change from it (retraining what it " +
                "touches) and commit that; DataProtection operations do this by themselves.")
    {
        BaseGeneration = baseGeneration;
        CurrentGeneration = currentGeneration;
        Conflicts = conflicts;
    }

    /// <summary>The generation the refused change was prepared from.</summary>
    public long BaseGeneration { get; }

    /// <summary>The registry's generation when the change was refused.</summary>
    public long CurrentGeneration { get; }

    /// <summary>One sentence per conflict, naming the components involved.</summary>
    public IReadOnlyList<string> Conflicts { get; }

    /// <summary>Whether other writers committed since the change's base, so preparing it again from the current index may succeed.</summary>
    public bool OtherWritersCommitted => CurrentGeneration > BaseGeneration;
}

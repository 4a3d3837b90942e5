namespace CdmNotebooks.Protection;

/// <summary>Result of a protection operation: its audit record and the cost of each component it touched.</summary>
public sealed record ProtectionReport(AuditRecord Record, IReadOnlyList<ComponentTiming> Timings)
{
    /// <summary>Seconds spent on shard training.</summary>
    public double ShardSeconds => Timings.Where(t => t.Component.StartsWith("shard ", StringComparison.Ordinal)).Sum(t => t.Seconds);

    /// <summary>Seconds spent on router updates.</summary>
    public double RouterSeconds => Timings.Where(t => t.Component.StartsWith("router ", StringComparison.Ordinal)).Sum(t => t.Seconds);
}

namespace CdmNotebooks.Protection;

/// <summary>One line of the audit log: who asked for what, which components changed, and when.</summary>
/// <param name="Time">When the operation committed.</param>
/// <param name="Actor">Who requested it.</param>
/// <param name="Operation"><c>forget-samples</c>, <c>forget-shard</c>, <c>add-shard</c> or <c>add-router</c>.</param>
/// <param name="SampleIds">The IDs the request named (forgetting) or empty.</param>
/// <param name="NotFoundIds">Requested IDs no active component was trained on.</param>
/// <param name="Shards">Shard version changes (before/after data identities).</param>
/// <param name="Routers">Router versions replaced, as <c>old -&gt; new</c> keys.</param>
/// <param name="Seconds">Wall time of the whole operation.</param>
public sealed record AuditRecord(
    DateTimeOffset Time,
    string Actor,
    string Operation,
    IReadOnlyList<string> SampleIds,
    IReadOnlyList<string> NotFoundIds,
    IReadOnlyList<AuditShardChange> Shards,
    IReadOnlyList<string> Routers,
    double Seconds);

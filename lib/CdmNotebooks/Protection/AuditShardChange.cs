namespace CdmNotebooks.Protection;

/// <summary>How one shard changed in a protection operation (null version/identity = did not exist / was removed).</summary>
public sealed record AuditShardChange(string Shard, int? FromVersion, int? ToVersion, string? BeforeIdentity, string? AfterIdentity);

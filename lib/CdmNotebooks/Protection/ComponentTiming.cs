namespace CdmNotebooks.Protection;

/// <summary>What one component cost in a protection operation: e.g. <c>shard s3 retrained</c>, <c>router r kept</c>, with wall seconds.</summary>
public sealed record ComponentTiming(string Component, string Action, double Seconds);

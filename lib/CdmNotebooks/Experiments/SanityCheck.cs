namespace CdmNotebooks.Experiments;

/// <summary>A property an experiment's results must have (e.g. "by-class CDM beats naive averaging on conditional accuracy"), with the measured detail.</summary>
public sealed record SanityCheck(string Name, bool Passed, string Detail);

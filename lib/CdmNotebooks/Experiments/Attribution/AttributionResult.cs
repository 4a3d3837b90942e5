using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Attribution;

/// <summary>Everything E4 produced: the report (tables, files, sanity checks) plus the charts and sample grids a notebook shows.</summary>
public sealed record AttributionResult(ExperimentReport Report, IReadOnlyList<ChartSpec> Charts, IReadOnlyList<CaptionedImage> Grids);

using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Memorization;

/// <summary>Everything E5 produced: the report (tables, files, sanity checks) plus the charts, memorized pairs and out-of-distribution grid a notebook shows.</summary>
public sealed record MemorizationResult(ExperimentReport Report, IReadOnlyList<ChartSpec> Charts, IReadOnlyList<CaptionedImage> Images);

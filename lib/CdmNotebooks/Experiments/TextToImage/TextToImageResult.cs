using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>Everything E6 produced: the report (tables, files, sanity checks) plus the charts and sample grids a notebook shows.</summary>
public sealed record TextToImageResult(ExperimentReport Report, IReadOnlyList<ChartSpec> Charts, IReadOnlyList<CaptionedImage> Images);

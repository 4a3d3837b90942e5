using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments;

/// <summary>
/// What one experiment run produces, gathered as it goes: typed result files, tables, figures, captioned images, sanity checks and
/// run.json entries; it owns the tensors and models the run allocates and disposes them, newest first, when the run ends.
/// </summary>
public sealed class ExperimentOutput : IDisposable
{
    private readonly ExperimentRun _run;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly Dictionary<string, ResultTable> _tables = new(StringComparer.Ordinal);
    private readonly List<string> _files = [];
    private readonly List<SanityCheck> _checks = [];
    private readonly List<ChartSpec> _charts = [];
    private readonly List<CaptionedImage> _images = [];
    private readonly List<IDisposable> _owned = [];

    /// <summary>Starts the output of <paramref name="run"/> (its clock starts now).</summary>
    public ExperimentOutput(ExperimentRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _run = run;
    }

    /// <summary>Extra entries of run.json (split, note, feature space, ...).</summary>
    public IDictionary<string, string> RunInfo { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The checks added so far.</summary>
    public IReadOnlyList<SanityCheck> Checks => _checks;

    /// <summary>Opens the typed result file <paramref name="fileName"/> of the run (rows already measured are read back) and lists it among the run's files.</summary>
    public ResultRows<T> Rows<T>(string fileName)
        where T : class
    {
        var rows = ResultRows<T>.Open(_run.ResultPath(fileName));
        File(rows.Path);
        return rows;
    }

    /// <summary>Shows <paramref name="table"/> under <paramref name="title"/> in the report.</summary>
    public void Table(string title, ResultTable table) => _tables[title] = table;

    /// <summary>Lists <paramref name="path"/> among the run's files (once).</summary>
    public void File(string path)
    {
        if (!_files.Contains(path))
        {
            _files.Add(path);
        }
    }

    /// <summary>Saves <paramref name="chart"/> as <paramref name="fileStem"/>.html and .png in the results folder and shows it in the report.</summary>
    public void Figure(ChartSpec chart, string fileStem)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var (html, png) = FigureWriter.Save(chart, _run.ResultPath(fileStem));
        File(html);
        File(png);
        _charts.Add(chart);
    }

    /// <summary>Shows the PNG at <paramref name="path"/> (already written) with <paramref name="caption"/>, which says how to read it; an image already shown keeps its first caption.</summary>
    public void Image(string path, string caption)
    {
        File(path);
        if (_images.All(i => i.Path != path))
        {
            _images.Add(new CaptionedImage(caption, path));
        }
    }

    /// <summary>Adds one sanity check.</summary>
    public void Check(SanityCheck check) => _checks.Add(check);

    /// <summary>Adds sanity checks.</summary>
    public void Check(IEnumerable<SanityCheck> checks) => _checks.AddRange(checks);

    /// <summary>Disposes <paramref name="value"/> when the run ends; returns it.</summary>
    public T Own<T>(T value)
        where T : IDisposable
    {
        _owned.Add(value);
        return value;
    }

    /// <summary>Writes run.json and returns the report; its files are those listed that exist (a result file with no rows is never written).</summary>
    public ExperimentReport Finish()
    {
        _run.WriteRunInfo(_started, new Dictionary<string, string>(RunInfo));
        File(_run.ResultPath("run.json"));
        return new ExperimentReport(_run.Experiment, _run.Profile, new Dictionary<string, ResultTable>(_tables), _files.Where(System.IO.File.Exists).ToList(),
            _checks.ToList(), _charts.ToList(), _images.ToList());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        _owned.Clear();
    }
}

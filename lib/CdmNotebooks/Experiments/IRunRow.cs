namespace CdmNotebooks.Experiments;

/// <summary>A result row made by one run: results files keep the rows of every seed and profile, and a run reads back only its own.</summary>
public interface IRunRow
{
    /// <summary>The run's seed.</summary>
    int Seed { get; }

    /// <summary>The run's profile.</summary>
    string Profile { get; }
}

/// <summary>The rows of one run.</summary>
public static class RunRows
{
    /// <summary>The rows of <paramref name="rows"/> that <paramref name="run"/> made (its seed and profile), in order.</summary>
    public static IEnumerable<TRow> Of<TRow>(this IEnumerable<TRow> rows, ExperimentRun run)
        where TRow : IRunRow
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(run);
        return rows.Where(r => run.Owns(r));
    }

    /// <summary>Whether <paramref name="run"/> made <paramref name="row"/> (its seed and profile).</summary>
    public static bool Owns(this ExperimentRun run, IRunRow row)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(row);
        return row.Seed == run.Seed && row.Profile == run.Profile;
    }
}

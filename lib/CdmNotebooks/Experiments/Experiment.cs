namespace CdmNotebooks.Experiments;

/// <summary>
/// The skeleton every experiment shares: settings chosen by profile (or given), one output that owns what the run allocates, collects
/// typed result files, figures, images and checks, and writes run.json and the report. A subclass holds only its protocol (<see cref="Measure"/>).
/// </summary>
/// <typeparam name="TSettings">The experiment's settings record.</typeparam>
public abstract class Experiment<TSettings> : IExperiment
    where TSettings : class
{
    private readonly TSettings? _settings;

    /// <summary>An experiment that runs its profile's settings, or <paramref name="settings"/> for every profile when given (e.g. a smaller grid in a notebook or a test).</summary>
    protected Experiment(TSettings? settings = null)
    {
        _settings = settings;
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract string Question { get; }

    /// <summary>The settings a run of <paramref name="profile"/> uses.</summary>
    public TSettings SettingsFor(string profile) => _settings ?? DefaultSettings(profile);

    /// <inheritdoc />
    public ExperimentReport Run(ExperimentRun run) => Run(run, null);

    /// <summary>Runs the protocol with <paramref name="settings"/> (default: <see cref="SettingsFor"/> the run's profile), reusing cached models and measured rows.</summary>
    public ExperimentReport Run(ExperimentRun run, TSettings? settings)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var output = new ExperimentOutput(run);
        Measure(run, settings ?? SettingsFor(run.Profile), output);
        return output.Finish();
    }

    /// <summary>The settings of <paramref name="profile"/> when none were given.</summary>
    protected abstract TSettings DefaultSettings(string profile);

    /// <summary>The experiment's protocol: trains or reuses models, measures what is not yet measured, and adds its tables, figures and checks to <paramref name="output"/>.</summary>
    protected abstract void Measure(ExperimentRun run, TSettings settings, ExperimentOutput output);
}

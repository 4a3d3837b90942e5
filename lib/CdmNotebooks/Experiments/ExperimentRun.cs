using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.IO;

namespace CdmNotebooks.Experiments;

/// <summary>The context of one experiment run: profile, seed, where results and cached models go, logging, progress and cancellation; shared by the CLI and notebooks.</summary>
public sealed class ExperimentRun
{
    /// <summary>The profiles every experiment defines (paper is documented for GPU users, not run here).</summary>
    public static IReadOnlyList<string> Profiles { get; } = new[] { "smoke", "standard", "paper" };

    public ExperimentRun(string experiment, string profile, int seed = 0, string? resultsRoot = null, string? cacheRoot = null)
    {
        if (!Profiles.Contains(profile))
        {
            throw new ArgumentException($"Unknown profile '{profile}'. Use one of: {string.Join(", ", Profiles)}.", nameof(profile));
        }

        Experiment = experiment;
        Profile = profile;
        Seed = seed;
        ResultsDirectory = Path.Combine(resultsRoot ?? DefaultResultsRoot, experiment, profile);
        Models = new ModelCache(Path.Combine(cacheRoot ?? RepositoryPaths.Cache, "models"));
    }

    /// <summary>$CDM_RESULTS or results/ under the repository.</summary>
    public static string DefaultResultsRoot =>
        Environment.GetEnvironmentVariable("CDM_RESULTS") is { Length: > 0 } r ? Path.GetFullPath(r) : Path.Combine(RepositoryPaths.Root, "results");

    /// <summary>The experiment's name (table1, forgetting, ...).</summary>
    public string Experiment { get; }

    /// <summary>smoke, standard or paper.</summary>
    public string Profile { get; }

    /// <summary>The base seed; every derived seed is recorded in the results.</summary>
    public int Seed { get; }

    /// <summary>results/EXPERIMENT/PROFILE/.</summary>
    public string ResultsDirectory { get; }

    /// <summary>The cache of trained models, keyed by configuration and data identity (default: <c>models/</c> under the cache root).</summary>
    public ModelCache Models { get; init; }

    /// <summary>Where models train; null: <see cref="Runtime.TorchDevice.Default"/>.</summary>
    public TorchSharp.torch.Device? Device { get; init; }

    /// <summary>Receives progress lines (the CLI prints them; notebooks display them).</summary>
    public Action<string> Log { get; init; } = Console.WriteLine;

    /// <summary>Training progress of the model currently training (for progress bars).</summary>
    public Action<TrainingProgress>? TrainingProgress { get; init; }

    /// <summary>A component broken on purpose (mutation tests only); results of such a run belong in a scratch results folder.</summary>
    public ExperimentMutation Mutation { get; init; }

    /// <summary>Cooperative cancellation (the kernel's interrupt, Ctrl+C in the CLI).</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Measure only the blocks of this training regime (<c>scratch</c>, <c>fine-tuned:&lt;base&gt;</c>); null: every block. Experiments without regimes ignore it.</summary>
    /// <remarks>A standard Table 1 takes hours; this lets a researcher spend a session on the regime the claim is tested in. Rows of other blocks stay as measured.</remarks>
    public string? Regime { get; init; }

    /// <summary>Measure only the splits of this shard count (the paragon is always measured); null: every split. Experiments without splits ignore it.</summary>
    public int? Shards { get; init; }

    /// <summary>Whether a block of <paramref name="regime"/> is selected by <see cref="Regime"/>.</summary>
    public bool Selects(TrainingRegime regime) => Selects(regime.Name);

    /// <summary>Whether this run measures the block named <paramref name="block"/> (a regime's name, or a Table 1 block's, e.g. <c>fine-tuned:fashion-mnist x8</c>).</summary>
    public bool Selects(string block) => Regime is null || block == Regime;

    /// <summary>The command that reproduces this run, recorded beside the results.</summary>
    public string Command => $"environment/cdm reproduce {Experiment} --profile {Profile}" + (Seed != 0 ? $" --seed {Seed}" : "")
        + (Regime is null ? "" : $" --regime {Regime}") + (Shards is null ? "" : $" --shards {Shards}");

    /// <summary>Path of a result file in <see cref="ResultsDirectory"/>.</summary>
    public string ResultPath(string fileName)
    {
        Directory.CreateDirectory(ResultsDirectory);
        return Path.Combine(ResultsDirectory, fileName);
    }

    /// <summary>Writes run.json (experiment, profile, seed, command, machine, timings) atomically beside the results.</summary>
    public void WriteRunInfo(DateTimeOffset started, IReadOnlyDictionary<string, string>? extra = null)
    {
        var info = new Dictionary<string, object?>
        {
            ["experiment"] = Experiment,
            ["profile"] = Profile,
            ["seed"] = Seed,
            ["command"] = Command,
            ["started"] = started.ToString("O"),
            ["finished"] = DateTimeOffset.UtcNow.ToString("O"),
            ["wallSeconds"] = Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds, 1),
            ["processorCount"] = Environment.ProcessorCount,
            ["torchThreads"] = TorchSharp.torch.get_num_threads(),
            ["device"] = (Device ?? Runtime.TorchDevice.Default).ToString(),
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            info[k] = v;
        }

        AtomicFile.WriteAllText(ResultPath("run.json"), System.Text.Json.JsonSerializer.Serialize(info, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}

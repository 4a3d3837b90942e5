using System.CommandLine;
using CdmNotebooks.Experiments;

namespace CdmNotebooks.Cli.Commands;

/// <summary>`cdm reproduce NAME --profile P`: runs one of the paper's experiments headless, exactly as its notebook does.</summary>
internal static class ReproduceCommands
{
    public static IEnumerable<Command> Create()
    {
        var name = new Argument<string>("experiment") { Description = "The experiment: " + string.Join(", ", ExperimentCatalog.All.Select(e => e.Name)) + "." };
        var profile = new Option<string>("--profile") { Description = "smoke (minutes, CI), standard (the reproduction on this CPU) or paper (GPU scale, documented).", DefaultValueFactory = _ => "smoke" };
        var seed = new Option<int>("--seed") { Description = "Base seed.", DefaultValueFactory = _ => 0 };
        var results = new Option<string?>("--results") { Description = "Results root (default: results/ or $CDM_RESULTS); files go to ROOT/EXPERIMENT/PROFILE/." };
        var regime = new Option<string?>("--regime") { Description = "table1, convergence and recipe: measure only the block with this name: its regime (scratch, fine-tuned:fashion-mnist, fine-tuned:fashion-mnist-public), or \"<regime> x<multiple>\" for a block at a multiplied budget (\"fine-tuned:fashion-mnist x8\"); rows of other blocks stay as measured." };
        var shards = new Option<int?>("--shards") { Description = "table1: measure only the splits of this shard count (2, 4 or 8); the paragon is always measured." };
        var command = new Command("reproduce",
            "Run one experiment end to end (training with cached models, evaluation, result CSVs and figures in results/EXPERIMENT/PROFILE/). " +
            "Re-running reuses trained models and measured rows; an interrupted run continues where it stopped. Exit code 1 if a sanity check fails.")
        {
            name, profile, seed, results, regime, shards,
        };
        command.SetAction((parse, cancellation) =>
        {
            var experiment = ExperimentCatalog.Get(parse.GetValue(name)!);
            var run = new ExperimentRun(experiment.Name, parse.GetValue(profile)!, parse.GetValue(seed), parse.GetValue(results))
            {
                Cancellation = cancellation,
                Regime = parse.GetValue(regime),
                Shards = parse.GetValue(shards),
                TrainingProgress = CliProgress.TrainingReporter(),
            };
            Console.WriteLine($"{experiment.Name} ({run.Profile}): {experiment.Question}");
            var report = experiment.Run(run);
            foreach (var (title, table) in report.Tables)
            {
                Console.WriteLine($"\n{title}\n{table.ToMarkdown()}");
            }

            foreach (var file in report.Files)
            {
                Console.WriteLine($"wrote {file}");
            }

            foreach (var check in report.Checks)
            {
                Console.WriteLine($"  [{(check.Passed ? "ok" : "FAIL")}] {check.Name}: {check.Detail}");
            }

            return Task.FromResult(report.Passed ? 0 : 1);
        });
        yield return command;
    }
}

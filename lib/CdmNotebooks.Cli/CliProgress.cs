using ShellProgressBar;

namespace CdmNotebooks.Cli;

/// <summary>Terminal progress for slow CLI steps: a ShellProgressBar on an interactive terminal, plain lines when output is redirected (CI logs).</summary>
internal static class CliProgress
{
    /// <summary>True when a live progress bar can be drawn.</summary>
    public static bool Interactive => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null or "" or "false";

    /// <summary>Runs <paramref name="work"/> under an indeterminate bar labelled <paramref name="label"/>.</summary>
    public static T Run<T>(string label, Func<T> work)
    {
        if (!Interactive)
        {
            Console.WriteLine($"{label} ...");
            return work();
        }

        using var bar = new ProgressBar(1, label, new ProgressBarOptions { ProgressCharacter = '─', CollapseWhenFinished = true, DisplayTimeInRealTime = true });
        var result = work();
        bar.Tick();
        return result;
    }

    /// <summary>Creates a determinate bar for <paramref name="total"/> ticks, or null when output is redirected.</summary>
    public static ProgressBar? Bar(int total, string label) =>
        Interactive ? new ProgressBar(total, label, new ProgressBarOptions { ProgressCharacter = '─', CollapseWhenFinished = false, DisplayTimeInRealTime = true }) : null;

    /// <summary>A training-progress callback: a live bar on a terminal, a line every 10% when output is redirected.</summary>
    public static Action<CdmNotebooks.Diffusion.TrainingProgress> TrainingReporter()
    {
        ProgressBar? bar = null;
        var lastDecile = -1;
        return p =>
        {
            var message = $"step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} {p.ImagesPerSecond:F0} img/s ETA {p.EstimatedRemaining:hh\\:mm\\:ss}";
            if (Interactive)
            {
                bar ??= new ProgressBar(p.TotalSteps, "training", new ProgressBarOptions { ProgressCharacter = '─', CollapseWhenFinished = true });
                bar.Tick(p.Step, message);
                if (p.Step >= p.TotalSteps)
                {
                    bar.Dispose();
                    bar = null;
                }
            }
            else if (p.Step * 10 / Math.Max(1, p.TotalSteps) is var decile && decile != lastDecile)
            {
                lastDecile = decile;
                Console.WriteLine("  " + message);
            }
        };
    }
}

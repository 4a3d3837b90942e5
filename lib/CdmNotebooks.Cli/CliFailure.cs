using System.Text.Json;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Experiments;

namespace CdmNotebooks.Cli;

/// <summary>
/// The documented exit codes of `cdm` and the one rule that maps a failure to its code and its one-line message, so no refusal
/// or malformed file ever reaches the user as a stack trace (unless they ask for it with --verbose).
/// </summary>
public static class CliFailure
{
    /// <summary>Everything worked and every check passed.</summary>
    public const int Success = 0;

    /// <summary>The command ran, and a check it reports failed (lineage, data check, an experiment's sanity check).</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad input: a wrong option, a missing or malformed file (policy, registry index, manifest, split, checkpoint, dataset), or a refused request (including a registry busy past its writer lock timeout).</summary>
    public const int BadInput = 2;

    /// <summary>A bug in cdm itself: the message names the exception; --verbose prints the stack trace.</summary>
    public const int InternalError = 3;

    /// <summary>Interrupted by Ctrl-C or SIGTERM after checkpointing; the same command line resumes.</summary>
    public const int Interrupted = 130;

    /// <summary>The exit code and message for <paramref name="failure"/>.</summary>
    public static (int Code, string Message) Describe(Exception failure)
    {
        var inner = Unwrap(failure);
        return inner switch
        {
            OperationCanceledException =>
                (Interrupted, "cdm: interrupted; progress up to the last checkpoint is kept. Run the same command again to resume."),
            SanityCheckFailedException => (CheckFailed, $"cdm: check failed: {inner.Message}"),
            ArgumentException argument => (BadInput, $"cdm: {WithoutParameterName(argument)}"),
            // UnauthorizedAccessException covers both an access policy's refusal and a file the OS will not let us read.
            FormatException or InvalidOperationException or KeyNotFoundException or UnauthorizedAccessException
                or IOException or InvalidDataException or JsonException or DataFormatException or CheckpointException or NotSupportedException
                // A registry's writer lock held past the timeout: another writer is busy, nothing is wrong with cdm.
                or TimeoutException =>
                (BadInput, $"cdm: {inner.Message}"),
            _ => (InternalError, $"cdm: internal error ({inner.GetType().Name}): {inner.Message}. Re-run with --verbose for the stack trace, and please report it."),
        };
    }

    // The parameter name is the library's, not an option the user typed.
    private static string WithoutParameterName(ArgumentException argument) =>
        argument.ParamName is { } name ? argument.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : argument.Message;

    // Task-based invocation and type initializers wrap the exception that says what went wrong.
    private static Exception Unwrap(Exception failure) => failure switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Unwrap(aggregate.InnerExceptions[0]),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        _ => failure,
    };
}

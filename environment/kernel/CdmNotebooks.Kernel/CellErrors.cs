using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace CdmNotebooks.Kernel;

/// <summary>Turns compile diagnostics and exceptions of a cell into Jupyter error outputs that name the cell and line.</summary>
public static class CellErrors
{
    /// <summary>Compile errors: each line reads like "cell[3](2,5): error CS0103: ...".</summary>
    public static CellOutcome FromDiagnostics(ImmutableArray<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var lines = errors.Select(d => d.ToString()).ToList();
        var first = errors.FirstOrDefault();
        var value = first is null ? "compilation failed" : $"{first.Location.GetLineSpan().Path}, line {first.Location.GetLineSpan().StartLinePosition.Line + 1}: {first.GetMessage()}";
        return CellOutcome.Failure("CompilationError", value, lines);
    }

    /// <summary>An exception thrown by a cell, with the cell frames shown as "cell[3], line 2".</summary>
    public static CellOutcome FromException(Exception exception)
    {
        while (exception is TargetInvocationException { InnerException: { } inner })
        {
            exception = inner;
        }

        var frames = CellFrames(exception);
        var cellLine = frames.FirstOrDefault(f => f.StartsWith("   at cell[", StringComparison.Ordinal))?.Trim()[3..];
        var value = cellLine is null ? exception.Message : $"{exception.Message} ({cellLine})";
        var traceback = new List<string> { $"{exception.GetType().FullName}: {exception.Message}" };
        traceback.AddRange(frames);
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            traceback.Add($" ---> {inner.GetType().FullName}: {inner.Message}");
        }

        return CellOutcome.Failure(exception.GetType().Name, value, traceback);
    }

    /// <summary>A cell stopped by an interrupt request.</summary>
    public static CellOutcome Interrupted(string detail) =>
        CellOutcome.Failure("Interrupted", detail, new[] { $"Interrupted: {detail}" });

    private static List<string> CellFrames(Exception exception)
    {
        var lines = new List<string>();
        var lastCellFrame = -1;
        foreach (var frame in new StackTrace(exception, fNeedFileInfo: true).GetFrames())
        {
            var method = frame.GetMethod();
            // Roslyn roots a script's file path at the working directory, so only the name identifies the cell.
            var file = frame.GetFileName() is { } path ? Path.GetFileName(path) : null;
            if (file is not null && file.StartsWith("cell[", StringComparison.Ordinal))
            {
                lines.Add($"   at {file}, line {frame.GetFileLineNumber()}");
                lastCellFrame = lines.Count;
            }
            else if (method?.DeclaringType is { } type && !IsPlumbing(type))
            {
                var where = file is null ? "" : $" in {file}:line {frame.GetFileLineNumber()}";
                lines.Add($"   at {type.FullName}.{method.Name}{where}");
            }
        }

        // Frames below the outermost cell frame belong to the kernel and Roslyn's script runner, not to the user.
        return lastCellFrame < 0 ? lines : lines.GetRange(0, lastCellFrame);
    }

    private static bool IsPlumbing(Type type) =>
        type.Namespace is "System.Runtime.CompilerServices" or "System.Runtime.ExceptionServices" or "System.Threading.Tasks";
}

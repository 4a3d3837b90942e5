using System.Text.Json;

namespace CdmNotebooks.Diffusion;

/// <summary>Whether a model can be fine-tuned from (or weight-averaged with) another: same architecture, prediction kind and noise schedule.</summary>
public static class BaseCompatibility
{
    /// <summary>Null when <paramref name="candidate"/> can start from <paramref name="base"/>; otherwise which field differs, with both values.</summary>
    public static string? Mismatch(TrainingConfig @base, TrainingConfig candidate)
    {
        ArgumentNullException.ThrowIfNull(@base);
        ArgumentNullException.ThrowIfNull(candidate);
        if (@base.ScheduleKind != candidate.ScheduleKind)
        {
            return $"ScheduleKind differs (base '{@base.ScheduleKind}', this '{candidate.ScheduleKind}')";
        }

        if (@base.ScheduleSteps != candidate.ScheduleSteps)
        {
            return $"ScheduleSteps differs (base {@base.ScheduleSteps}, this {candidate.ScheduleSteps})";
        }

        // Field by field through JSON: the config holds arrays, whose record equality is by reference. A field absent on one side
        // (JSON omits a null text encoder and a zero prompt length) compares as absent.
        var a = JsonSerializer.SerializeToElement(@base.Model, Checkpoint.JsonOptions);
        var b = JsonSerializer.SerializeToElement(candidate.Model, Checkpoint.JsonOptions);
        static string Value(JsonElement config, string name) => config.TryGetProperty(name, out var v) ? v.GetRawText() : "absent";
        foreach (var name in a.EnumerateObject().Concat(b.EnumerateObject()).Select(p => p.Name).Distinct())
        {
            // Prompt tuning adds a context to a base without one; the base's weights still fit every other parameter.
            if (name == "promptTokens" && @base.Model.PromptTokens == 0)
            {
                continue;
            }

            if (Value(a, name) != Value(b, name))
            {
                return $"Model.{char.ToUpperInvariant(name[0]) + name[1..]} differs (base {Value(a, name)}, this {Value(b, name)})";
            }
        }

        return null;
    }
}

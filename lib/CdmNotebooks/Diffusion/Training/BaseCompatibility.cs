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

        // Field by field through JSON: the config holds arrays, whose record equality is by reference.
        var a = JsonSerializer.SerializeToElement(@base.Model, Checkpoint.JsonOptions);
        var b = JsonSerializer.SerializeToElement(candidate.Model, Checkpoint.JsonOptions);
        foreach (var property in a.EnumerateObject())
        {
            var other = b.GetProperty(property.Name);
            if (property.Value.GetRawText() != other.GetRawText())
            {
                var name = char.ToUpperInvariant(property.Name[0]) + property.Name[1..];
                return $"Model.{name} differs (base {property.Value.GetRawText()}, this {other.GetRawText()})";
            }
        }

        return null;
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CdmNotebooks.Diffusion;

/// <summary>The identity of a trained model: a hash of the training code revision, its configuration (base included) and its training data.</summary>
public static class ModelKey
{
    /// <summary>sha256 (20 hex digits) of <see cref="TrainingCode.Revision"/> (the training sources), the configuration JSON and the data identity.</summary>
    public static string Of(TrainingConfig config, TrainingDataIdentity data)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(data);
        var text = $"revision {TrainingCode.Revision}\n" + JsonSerializer.Serialize(config, Checkpoint.JsonOptions) + "\n" + data.Identity;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..20];
    }
}

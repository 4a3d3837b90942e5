using System.Security.Cryptography;
using System.Text;

namespace CdmNotebooks.Data;

/// <summary>The identity of a set of training samples: sha256 of its sample IDs sorted ordinally and joined by newlines. Checkpoints record it.</summary>
public static class DataIdentity
{
    /// <summary>Lower-case hex sha256 of the sorted, newline-joined IDs; order of the input does not matter, duplicates are an error.</summary>
    public static string Of(IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sorted = ids.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] == sorted[i - 1])
            {
                throw new ArgumentException($"Sample ID '{sorted[i]}' appears twice; a data identity is defined over a set of distinct IDs.", nameof(ids));
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', sorted))));
    }
}

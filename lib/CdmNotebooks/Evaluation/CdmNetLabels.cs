using CdmNotebooks.Data;

namespace CdmNotebooks.Evaluation;

/// <summary>The class targets a CdmNet is trained on: the dataset's own class, or for the union domain * 10 + class.</summary>
public static class CdmNetLabels
{
    /// <summary>Domain order of the union's 20 classes: 0..9 are MNIST-10k digits, 10..19 are Fashion-MNIST classes.</summary>
    public static IReadOnlyList<string> UnionDomains { get; } = ["mnist10k", "fashion-mnist"];

    /// <summary>Targets for <paramref name="data"/> as seen by a network trained on <paramref name="networkDataset"/>.</summary>
    public static long[] For(LabeledImages data, string networkDataset)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (networkDataset != "union")
        {
            return data.Labels.ToArray();
        }

        var targets = new long[data.Count];
        for (var i = 0; i < data.Count; i++)
        {
            targets[i] = UnionLabel(data.Ids[i], data.Labels[i]);
        }

        return targets;
    }

    /// <summary>domain * 10 + label, the domain read from the ID prefix ("mnist10k/..." or "fashion-mnist/...").</summary>
    public static long UnionLabel(string id, long label)
    {
        var slash = id.IndexOf('/');
        var domain = slash > 0 ? UnionDomains.ToList().IndexOf(id[..slash]) : -1;
        if (domain < 0)
        {
            throw new ArgumentException($"Sample ID '{id}' does not start with one of the union's domains ({string.Join(", ", UnionDomains)}).", nameof(id));
        }

        return domain * 10 + label;
    }
}

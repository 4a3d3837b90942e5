using CdmNotebooks.Data;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Evaluation;

/// <summary>Small learnable image sets for feature-network tests: class k is a bright 6x6 square at position k on a noisy background.</summary>
internal static class SyntheticImages
{
    public static LabeledImages Create(string dataset, string part, int count, int classes, ulong seed)
    {
        var generator = new Generator(seed);
        var labels = randint(0, classes, [count], generator: generator).data<long>().ToArray();
        var images = (rand([count, 1, 28, 28], generator: generator) * 0.4f - 1f).contiguous();
        for (var i = 0; i < count; i++)
        {
            var k = (int)labels[i];
            var row = 2 + 10 * (k / 4 % 3);
            var col = 2 + 6 * (k % 4);
            images[i, 0, TensorIndex.Slice(row, row + 6), TensorIndex.Slice(col, col + 6)] = tensor(1f);
        }

        var ids = Enumerable.Range(0, count).Select(i => $"{dataset}/{part}/{seed}-{i:D5}").ToArray();
        return new LabeledImages(dataset, part, images, labels, ids);
    }
}

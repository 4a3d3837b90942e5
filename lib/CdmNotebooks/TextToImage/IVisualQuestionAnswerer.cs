using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>Answers questions about images; implement it to plug a real VQA model into <see cref="TifaScorer"/> (it may read only <see cref="SceneQuestion.Text"/>).</summary>
public interface IVisualQuestionAnswerer
{
    /// <summary>Name used in reports.</summary>
    string Name { get; }

    /// <summary>For each image of <paramref name="images"/> [N,1,S,S] in [-1,1], one answer per question in <paramref name="questions"/>[n].</summary>
    IReadOnlyList<IReadOnlyList<string>> Answer(Tensor images, IReadOnlyList<IReadOnlyList<SceneQuestion>> questions);
}

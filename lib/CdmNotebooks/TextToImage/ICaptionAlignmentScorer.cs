using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>Scores how well generated images match the captions they were generated for; implement it to plug in another text-image alignment judge.</summary>
/// <remarks>The evaluation area's <c>IAlignmentScorer</c> judges requested class labels; captions need their own contract, and <see cref="TifaScorer"/> adapts any <see cref="IVisualQuestionAnswerer"/> to it.</remarks>
public interface ICaptionAlignmentScorer
{
    /// <summary>Name used in reports.</summary>
    string Name { get; }

    /// <summary>Alignment of <paramref name="images"/> [N,1,S,S] in [-1,1] with <paramref name="captions"/> (one per image).</summary>
    CaptionAlignmentResult Score(Tensor images, IReadOnlyList<string> captions);
}

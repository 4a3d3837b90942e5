using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>Scores how well generated images match the class they were requested for; implement it to plug in another judge.</summary>
public interface IAlignmentScorer
{
    /// <summary>Name used in report labels, e.g. "conditional accuracy (CdmNet fashion-mnist)".</summary>
    string Name { get; }

    /// <summary>Agreement of <paramref name="images"/> [N,1,28,28] in [-1,1] with <paramref name="requestedClasses"/> (one per image).</summary>
    ConditionalAccuracyResult Score(Tensor images, IReadOnlyList<long> requestedClasses);
}

namespace CdmNotebooks.TextToImage;

/// <summary>How well the built-in answerers read real scenes (the ceiling of the TIFA-style metric), measured on held-out scenes.</summary>
/// <param name="Scenes">Number of real scenes evaluated.</param>
/// <param name="CellAccuracy">21-way accuracy over all cells.</param>
/// <param name="ObjectCellAccuracy">Accuracy over cells that hold an object (the exact category must be right).</param>
/// <param name="EmptyCellAccuracy">Accuracy over empty cells.</param>
/// <param name="CountAccuracy">Exact-match accuracy of the derived object counter (non-empty predicted cells vs true object count).</param>
/// <param name="SceneAccuracy">Fraction of scenes whose four cells are all right.</param>
/// <param name="TrueCaptions">TIFA-style score of the real images against their own captions: the metric's ceiling.</param>
/// <param name="MismatchedCaptions">TIFA-style score of the same images against another scene's caption (a fixed derangement): what unaligned images get.</param>
public sealed record AnswererAccuracy(
    int Scenes,
    double CellAccuracy,
    double ObjectCellAccuracy,
    double EmptyCellAccuracy,
    double CountAccuracy,
    double SceneAccuracy,
    CaptionAlignmentResult TrueCaptions,
    CaptionAlignmentResult MismatchedCaptions);

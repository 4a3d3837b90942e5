namespace CdmNotebooks.TextToImage;

/// <summary>One cell of the 2x2 scene grid, in reading order (the order objects appear in a caption).</summary>
public enum GridCell
{
    /// <summary>Row 0, column 0: "top left".</summary>
    TopLeft = 0,

    /// <summary>Row 0, column 1: "top right".</summary>
    TopRight = 1,

    /// <summary>Row 1, column 0: "bottom left".</summary>
    BottomLeft = 2,

    /// <summary>Row 1, column 1: "bottom right".</summary>
    BottomRight = 3,
}

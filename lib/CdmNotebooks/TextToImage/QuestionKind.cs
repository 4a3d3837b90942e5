namespace CdmNotebooks.TextToImage;

/// <summary>The TIFA question categories generated from a scene caption.</summary>
public enum QuestionKind
{
    /// <summary>"is there a sneaker?" (answer yes/no).</summary>
    Existence,

    /// <summary>"which digit is bottom right?" (answer an object word, or "nothing").</summary>
    Identity,

    /// <summary>"is there a sneaker top left?" (answer yes/no).</summary>
    Position,

    /// <summary>"how many digits are there?" (answer a number).</summary>
    Count,
}

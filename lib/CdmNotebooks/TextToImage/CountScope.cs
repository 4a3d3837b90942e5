namespace CdmNotebooks.TextToImage;

/// <summary>What a counting question counts.</summary>
public enum CountScope
{
    /// <summary>Every object: "how many objects are there?".</summary>
    Objects,

    /// <summary>MNIST digits: "how many digits are there?".</summary>
    Digits,

    /// <summary>Fashion-MNIST items: "how many clothing items are there?".</summary>
    ClothingItems,
}

namespace CdmNotebooks.TextToImage;

/// <summary>One captioned composite scene: its stable ID, its layout (and so its caption) and the source sample ID of every object, aligned with <see cref="SceneLayout.Objects"/>.</summary>
/// <param name="Id">Stable scene ID, e.g. <c>scenes/train/000123</c> or <c>scenes/heldout/000045</c>.</param>
/// <param name="Layout">What is where; <see cref="SceneLayout.Caption"/> is the prompt.</param>
/// <param name="SourceIds">Source sample ID of each object in layout order (e.g. <c>fashion-mnist/train/012345</c>), so forgetting and attribution refer to real data.</param>
public sealed record Scene(string Id, SceneLayout Layout, IReadOnlyList<string> SourceIds)
{
    /// <summary>The prompt of the scene.</summary>
    public string Caption => Layout.Caption;
}

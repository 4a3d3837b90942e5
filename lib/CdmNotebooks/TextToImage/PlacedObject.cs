namespace CdmNotebooks.TextToImage;

/// <summary>One object of a scene layout: its category (0..19, see <see cref="SceneVocabulary"/>) and its grid cell.</summary>
public readonly record struct PlacedObject(int Category, GridCell Cell);

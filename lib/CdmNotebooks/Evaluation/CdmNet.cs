using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CdmNotebooks.Evaluation;

/// <summary>The project's small CNN classifier whose penultimate embedding gives "CdmNet features" for FID and KID.</summary>
/// <remarks>
/// Three conv-BN-ReLU stages (28 -> 14 -> 7 pixels) and a dense embedding; about 2.3M multiply-adds per image at the
/// default width 16, chosen because training costs ~3 CPU-ms per image on the shared 2-core machine.
/// </remarks>
public sealed class CdmNet : Module<Tensor, Tensor>
{
    private readonly Sequential _trunk;
    private readonly Sequential _embedding;
    private readonly Dropout _dropout;
    private readonly Linear _classifier;

    /// <summary>Builds an untrained network for <paramref name="config"/>; initialization uses the global torch seed.</summary>
    public CdmNet(CdmNetConfig config) : base("CdmNet")
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        var w = config.Width;
        _trunk = Sequential(
            Conv2d(1, w, 3, padding: 1, bias: false), BatchNorm2d(w), ReLU(), MaxPool2d(2),
            Conv2d(w, 2 * w, 3, padding: 1, bias: false), BatchNorm2d(2 * w), ReLU(), MaxPool2d(2),
            Conv2d(2 * w, 4 * w, 3, padding: 1, bias: false), BatchNorm2d(4 * w), ReLU(),
            Flatten());
        _embedding = Sequential(Linear(4 * w * 7 * 7, config.FeatureDimension), ReLU());
        _dropout = Dropout(config.Dropout);
        _classifier = Linear(config.FeatureDimension, config.Classes);
        RegisterComponents();
    }

    /// <summary>The configuration this network was built from.</summary>
    public CdmNetConfig Config { get; }

    /// <summary>Logits [N,C] for images [N,1,28,28].</summary>
    public override Tensor forward(Tensor images) => _classifier.forward(_dropout.forward(Embed(images)));

    /// <summary>Embedding features [N,D] (after ReLU, like Inception's pool features) and logits [N,C] in one pass.</summary>
    public (Tensor Features, Tensor Logits) FeaturesAndLogits(Tensor images)
    {
        using var scope = NewDisposeScope();
        var features = Embed(images);
        var logits = _classifier.forward(_dropout.forward(features));
        return (features.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }

    private Tensor Embed(Tensor images) => _embedding.forward(_trunk.forward(images));
}

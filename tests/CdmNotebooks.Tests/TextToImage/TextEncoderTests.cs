using CdmNotebooks.Diffusion;
using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.TextToImage;

public sealed class TextEncoderTests
{
    private static readonly TextEncoderConfig _config = new() { Width = 32, Heads = 4, Layers = 2, FeedForward = 64, OutputDim = 48, MaxContextTokens = 4 };

    private static TextEncoder NewEncoder(long seed = 1)
    {
        manual_seed(seed);
        var encoder = new TextEncoder(_config);
        encoder.eval();
        return encoder;
    }

    [Fact]
    public void TokenizerMapsEveryVocabularyWordAndPadsToAFixedLength()
    {
        var ids = SceneTokenizer.Tokenize("a sneaker top left and a 7 bottom right");
        Assert.Equal(10, ids.Length);
        Assert.Equal(SceneTokenizer.Cls, ids[0]);
        Assert.Equal("sneaker", SceneTokenizer.Vocabulary[(int)ids[2]]);
        Assert.Equal("7", SceneTokenizer.Vocabulary[(int)ids[7]]);
        using var batch = SceneTokenizer.Encode(["a 1 top left", "a bag top left and a 2 top right and a coat bottom right"]);
        Assert.Equal(new long[] { 2, SceneTokenizer.SequenceLength }, batch.shape);
        Assert.Equal(5, batch[0].ne(SceneTokenizer.Pad).sum().item<long>());
        Assert.Equal(SceneTokenizer.SequenceLength, batch[1].ne(SceneTokenizer.Pad).sum().item<long>());
    }

    [Fact]
    public void UnknownWordIsAnErrorNamingTheWordAndTheVocabulary()
    {
        var error = Assert.Throws<ArgumentException>(() => SceneTokenizer.Tokenize("a zebra top left"));
        Assert.Contains("'zebra'", error.Message);
        Assert.Contains("sneaker", error.Message);
        Assert.Contains("bottom", error.Message);
        Assert.Throws<ArgumentException>(() => SceneTokenizer.Tokenize("a [pad] top left"));
    }

    [Fact]
    public void EmbeddingFitsTheUNetEmbeddingPathAndCarriesGradients()
    {
        using var encoder = NewEncoder();
        encoder.train();
        var captions = new[] { "a sneaker top left", "a 7 bottom right and a bag top right" };
        using var embedding = encoder.EncodeCaptions(captions);
        Assert.Equal(new long[] { 2, _config.OutputDim }, embedding.shape);
        manual_seed(2);
        using var unet = new UNet(new UNetConfig { BaseChannels = 16, ChannelMultipliers = [1, 2], AttentionResolutions = [], ClassCount = 0, EmbeddingDim = _config.OutputDim });
        using var x = randn(2, 1, 28, 28);
        using var t = tensor(new long[] { 10, 500 });
        using var output = unet.Forward(x, t, null, embedding);
        Assert.Equal(x.shape, output.shape);
        // The UNet's output layer may start at zero, so check the encoder's own gradient path.
        using var loss = embedding.square().mean();
        loss.backward();
        var tokenGrad = encoder.named_parameters().Single(p => p.name == "tokenEmbedding.weight").parameter.grad;
        Assert.NotNull(tokenGrad);
        Assert.True(tokenGrad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void PaddingIsMaskedSoACaptionEncodesTheSameAloneOrInABatch()
    {
        using var encoder = NewEncoder();
        using var alone = encoder.EncodeCaptions(["a 3 top right"]);
        using var batched = encoder.EncodeCaptions(["a 3 top right", "a dress top left and a 3 top right and a 0 bottom left"]);
        Assert.True(alone[0].allclose(batched[0], rtol: 1e-4, atol: 1e-5));
        Assert.False(batched[0].allclose(batched[1], rtol: 1e-2, atol: 1e-3));
    }

    [Fact]
    public void WordOrderAndContextVectorsChangeTheEmbeddingAndSeedsReproduceIt()
    {
        using var encoder = NewEncoder();
        using var same = NewEncoder();
        using var a = encoder.EncodeCaptions(["a 3 top right and a bag bottom left"]);
        using var b = encoder.EncodeCaptions(["a bag top right and a 3 bottom left"]);
        Assert.False(a.allclose(b, rtol: 1e-3, atol: 1e-4));
        using var again = same.EncodeCaptions(["a 3 top right and a bag bottom left"]);
        Assert.True(a.allclose(again));
        using var context = randn(3, _config.Width);
        using var withContext = encoder.EncodeCaptions(["a 3 top right and a bag bottom left"], context);
        Assert.False(a.allclose(withContext, rtol: 1e-3, atol: 1e-4));
        using var tooLong = randn(_config.MaxContextTokens + 1, _config.Width);
        Assert.Throws<ArgumentException>(() => encoder.EncodeCaptions(["a 1 top left"], tooLong));
    }
}

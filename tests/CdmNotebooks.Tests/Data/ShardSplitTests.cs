using CdmNotebooks.Data;

namespace CdmNotebooks.Tests.Data;

public sealed class ShardSplitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cdm-split-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (long[] Labels, string[] Domains) Synthetic(int perClass, int classes = 10, string domain = "toy")
    {
        var labels = Enumerable.Range(0, perClass * classes).Select(i => (long)(i % classes)).ToArray();
        return (labels, Enumerable.Repeat(domain, labels.Length).ToArray());
    }

    [Theory]
    [InlineData("uniform", 8)]
    [InlineData("by-class", 8)]
    [InlineData("dirichlet:0.3", 4)]
    [InlineData("uniform", 1)]
    public void EveryIdIsInExactlyOneShardAndSeedIsDeterministic(string scheme, int shards)
    {
        var (labels, domains) = Synthetic(97);
        var a = ShardPartitioner.Assign(labels, domains, SplitScheme.Parse(scheme), shards, 11);
        var b = ShardPartitioner.Assign(labels, domains, SplitScheme.Parse(scheme), shards, 11);
        Assert.Equal(labels.Length, a.Length);
        Assert.All(a, s => Assert.InRange(s, 0, shards - 1));
        Assert.Equal(a, b);
        Assert.Equal(Enumerable.Range(0, shards), a.Distinct().Order());
    }

    [Fact]
    public void DifferentSeedsGiveDifferentUniformSplits()
    {
        var (labels, domains) = Synthetic(50);
        Assert.NotEqual(ShardPartitioner.Assign(labels, domains, SplitScheme.Uniform, 4, 1),
            ShardPartitioner.Assign(labels, domains, SplitScheme.Uniform, 4, 2));
    }

    [Fact]
    public void UniformIsClassBalanced()
    {
        var (labels, domains) = Synthetic(101);
        var shards = ShardPartitioner.Assign(labels, domains, SplitScheme.Uniform, 8, 3);
        for (var c = 0; c < 10; c++)
        {
            var counts = Enumerable.Range(0, 8).Select(s => Enumerable.Range(0, labels.Length).Count(i => labels[i] == c && shards[i] == s)).ToArray();
            Assert.True(counts.Max() - counts.Min() <= 1, $"class {c} counts {string.Join(",", counts)}");
        }

        var sizes = Enumerable.Range(0, 8).Select(s => shards.Count(x => x == s)).ToArray();
        Assert.True(sizes.Max() - sizes.Min() <= 1);
    }

    [Fact]
    public void ByClassGivesDisjointLabelSets()
    {
        var (labels, domains) = Synthetic(20);
        var shards = ShardPartitioner.Assign(labels, domains, SplitScheme.ByClass, 4, 5);
        var labelSets = Enumerable.Range(0, 4).Select(s => Enumerable.Range(0, labels.Length).Where(i => shards[i] == s).Select(i => labels[i]).ToHashSet()).ToArray();
        for (var s = 0; s < 4; s++)
        {
            for (var t = s + 1; t < 4; t++)
            {
                Assert.Empty(labelSets[s].Intersect(labelSets[t]));
            }
        }

        Assert.Throws<ArgumentException>(() => ShardPartitioner.Assign(labels, domains, SplitScheme.ByClass, 11, 5));
    }

    [Fact]
    public void ByDomainPutsEachSourceInItsOwnShard()
    {
        var labels = new long[] { 0, 1, 2, 3 };
        var domains = new[] { "mnist10k", "fashion-mnist", "mnist10k", "fashion-mnist" };
        Assert.Equal(new[] { 1, 0, 1, 0 }, ShardPartitioner.Assign(labels, domains, SplitScheme.ByDomain, 2, 0));
        var error = Assert.Throws<ArgumentException>(() => ShardPartitioner.Assign(labels, domains, SplitScheme.ByDomain, 3, 0));
        Assert.Contains("2 domain(s)", error.Message);
    }

    [Fact]
    public void SmallDirichletAlphaSkewsLabelsMoreThanLargeAlpha()
    {
        var (labels, domains) = Synthetic(400);
        double Skew(double alpha)
        {
            var shards = ShardPartitioner.Assign(labels, domains, SplitScheme.Dirichlet(alpha), 4, 9);
            // Mean over shards of the largest class fraction: 0.1 when balanced, 1 when a shard holds one class.
            return Enumerable.Range(0, 4).Average(s =>
            {
                var members = Enumerable.Range(0, labels.Length).Where(i => shards[i] == s).ToArray();
                return members.GroupBy(i => labels[i]).Max(g => g.Count()) / (double)members.Length;
            });
        }

        Assert.True(Skew(0.1) > Skew(100) + 0.2, $"skew(0.1)={Skew(0.1)}, skew(100)={Skew(100)}");
    }

    [Theory]
    [InlineData("dirichlet:-1")]
    [InlineData("dirichlet:abc")]
    [InlineData("random")]
    public void BadSchemesAreRejectedWithTheAcceptedForms(string text)
    {
        var error = Record.Exception(() => SplitScheme.Parse(text));
        Assert.NotNull(error);
        Assert.True(error is FormatException or ArgumentOutOfRangeException);
    }

    [Fact]
    public void SavedSplitReadsBackWithTheSameAssignmentAndIdentities()
    {
        using var test = DatasetCatalog.Load("mnist10k", "test");
        var split = ShardSplit.Create(test, SplitScheme.Uniform, 4, 7, "toy-split");
        split.Save(Path.Combine(_dir, "splits"));
        var loaded = ShardSplit.Load("toy-split", _dir);
        Assert.Equal(split.Ids, loaded.Ids);
        Assert.Equal(split.Shards, loaded.Shards);
        for (var s = 0; s < 4; s++)
        {
            Assert.Equal(split.DataIdentity(s), loaded.DataIdentity(s));
            Assert.Equal(split.ClassCounts(s), loaded.ClassCounts(s));
        }

        Assert.Equal(test.Count, Enumerable.Range(0, 4).Sum(s => loaded.IdsOfShard(s).Count));
    }

    [Fact]
    public void TamperedSplitCsvIsDetected()
    {
        using var test = DatasetCatalog.Load("mnist10k", "test");
        var (csv, _) = ShardSplit.Create(test, SplitScheme.Uniform, 2, 7, "tampered").Save(Path.Combine(_dir, "splits"));
        File.WriteAllText(csv, File.ReadAllText(csv).Replace(",1\n", ",0\n"));
        var error = Assert.Throws<DataFormatException>(() => ShardSplit.Load("tampered", _dir));
        Assert.Contains("edited or truncated", error.Message);
        Assert.Throws<FileNotFoundException>(() => ShardSplit.Load("no-such-split", _dir));
    }

    [Theory]
    [InlineData("mnist10k-uniform-8")]
    [InlineData("mnist10k-by-class-8")]
    [InlineData("fashion-mnist-by-class-8")]
    [InlineData("fashion-mnist-uniform-8")]
    [InlineData("union-by-domain-2")]
    [InlineData("fashion-mnist-private-by-class-8")]
    public void CommittedCanonicalSplitsRegenerateByteIdentically(string name) =>
        Assert.True(SplitCatalog.RegeneratesIdentically(name), $"{name} differs from its regeneration");

    [Fact]
    public void DataIdentityIgnoresOrderAndRejectsDuplicates()
    {
        Assert.Equal(DataIdentity.Of(new[] { "a", "b", "c" }), DataIdentity.Of(new[] { "c", "a", "b" }));
        Assert.NotEqual(DataIdentity.Of(new[] { "a", "b" }), DataIdentity.Of(new[] { "a", "b", "c" }));
        Assert.Throws<ArgumentException>(() => DataIdentity.Of(new[] { "a", "a" }));
    }

    [Theory]
    [InlineData("fashion-mnist-by-class-8", "fashion-mnist", "by-class", 8, 2308)]
    [InlineData("mnist10k-dirichlet0.5-4-s7", "mnist10k", "dirichlet:0.5", 4, 7)]
    [InlineData("union-by-domain-2", "union", "by-domain", 2, 2308)]
    public void SplitNamesParse(string name, string dataset, string scheme, int shards, int seed)
    {
        var parsed = SplitCatalog.ParseName(name);
        Assert.Equal((dataset, scheme, shards, seed), (parsed.Dataset, parsed.Scheme.ToString(), parsed.Shards, parsed.Seed));
        Assert.Equal(name, ShardSplit.NameFor(dataset, SplitScheme.Parse(scheme), shards, seed));
    }
}

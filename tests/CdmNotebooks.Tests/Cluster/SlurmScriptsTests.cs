using CdmNotebooks.Cluster;
using CdmNotebooks.Composition;

namespace CdmNotebooks.Tests.Cluster;

/// <summary>The sbatch scripts `cdm cluster submit` writes, the checks on what it is asked to submit, and the reading of scontrol's job records.</summary>
public sealed class SlurmScriptsTests
{
    private static ClusterJobSpec Spec(Func<ClusterJobSpec, ClusterJobSpec>? change = null)
    {
        var spec = new ClusterJobSpec
        {
            Split = "mnist10k-uniform-8",
            Dataset = "mnist10k",
            Shards = [0, 1, 2, 3],
            Registry = "/shared/reg",
            JobDirectory = "/shared/reg/cluster/mnist10k-uniform-8",
            Home = "/opt/cdm",
            Cdm = ["/usr/bin/dotnet", "/opt/cdm/cdm.dll"],
            Profile = "smoke",
            User = "ana",
        };
        return change is null ? spec : change(spec);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3 }, "0-3")]
    [InlineData(new[] { 5 }, "5")]
    [InlineData(new[] { 0, 1, 2, 3, 6, 8, 9 }, "0-3,6,8-9")]
    [InlineData(new[] { 1, 3, 5 }, "1,3,5")]
    public void ArraySpecListsTheShardIndicesWithRunsAsRanges(int[] shards, string expected) =>
        Assert.Equal(expected, Spec(s => s with { Shards = shards }).ArraySpec);

    [Fact]
    public void ShardScriptRunsOneShardAddPerTaskWithOneThreadPerAllottedCore()
    {
        var script = SlurmScripts.Shards(Spec(s => s with { CheckpointEvery = 5 }));
        Assert.StartsWith("#!/bin/bash\n", script, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --array=0-3\n", script, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --cpus-per-task=2\n", script, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --time=02:00:00\n", script, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --requeue\n", script, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --output=/shared/reg/cluster/mnist10k-uniform-8/logs/shard-%a.log\n", script, StringComparison.Ordinal);
        Assert.Contains("export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-2}\"\n", script, StringComparison.Ordinal);
        Assert.Contains("export CDM_HOME=/opt/cdm\n", script, StringComparison.Ordinal);
        Assert.Contains(
            "exec /usr/bin/dotnet /opt/cdm/cdm.dll shard add --registry /shared/reg --split mnist10k-uniform-8 --shard \"$SLURM_ARRAY_TASK_ID\" --profile smoke --user ana --checkpoint-every 5\n",
            script, StringComparison.Ordinal);
        // Site options appear only when given; a default submission names no partition, account, memory or GPU.
        foreach (var absent in new[] { "--partition", "--account", "--mem", "--gpus-per-task", "--device" })
        {
            Assert.DoesNotContain(absent, script, StringComparison.Ordinal);
        }

        // Every directive comes before the first command, or sbatch ignores it.
        var lines = script.Split('\n');
        var firstCommand = Array.FindIndex(lines, l => l.Length > 0 && !l.StartsWith('#'));
        Assert.True(lines.Skip(firstCommand).All(l => !l.StartsWith("#SBATCH", StringComparison.Ordinal)));
    }

    [Fact]
    public void SiteOptionsAndGpusReachBothScripts()
    {
        var spec = Spec(s => s with { Partition = "cpu-long", Account = "lab42", Memory = "8G", GpusPerTask = 1, ExtraSbatchOptions = ["--qos=high"] });
        foreach (var script in new[] { SlurmScripts.Shards(spec), SlurmScripts.Compose(spec) })
        {
            Assert.Contains("#SBATCH --partition=cpu-long\n", script, StringComparison.Ordinal);
            Assert.Contains("#SBATCH --account=lab42\n", script, StringComparison.Ordinal);
            Assert.Contains("#SBATCH --mem=8G\n", script, StringComparison.Ordinal);
            Assert.Contains("#SBATCH --gpus-per-task=1\n", script, StringComparison.Ordinal);
            Assert.Contains("#SBATCH --qos=high\n", script, StringComparison.Ordinal);
            Assert.Contains("--device cuda", script, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ComposeScriptTrainsEachRouterKindThenSamplesWithTheFirstAndScoresAgainstTheSplitsDataset()
    {
        var script = SlurmScripts.Compose(Spec(s => s with { RouterKinds = [RouterKind.Compartmentalized, RouterKind.Classifier], SampleCount = 40 }));
        var compartmentalized = script.IndexOf("router train --registry /shared/reg --kind compartmentalized --profile smoke", StringComparison.Ordinal);
        var classifier = script.IndexOf("router train --registry /shared/reg --kind classifier --profile smoke", StringComparison.Ordinal);
        var sample = script.IndexOf("compose sample --registry /shared/reg --router compartmentalized --count 40", StringComparison.Ordinal);
        var eval = script.IndexOf("eval --samples /shared/reg/cluster/mnist10k-uniform-8/samples/samples.pt --classes /shared/reg/cluster/mnist10k-uniform-8/samples/classes.txt --dataset mnist10k", StringComparison.Ordinal);
        Assert.True(compartmentalized > 0 && classifier > compartmentalized && sample > classifier && eval > sample, script);
        Assert.DoesNotContain("--array", script, StringComparison.Ordinal);

        var untrained = SlurmScripts.Compose(Spec(s => s with { RouterKinds = [], Evaluate = false }));
        Assert.DoesNotContain("router train", untrained, StringComparison.Ordinal);
        Assert.Contains("--router ito", untrained, StringComparison.Ordinal);
        Assert.DoesNotContain(" eval ", untrained, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain/path-1.0", "plain/path-1.0")]
    [InlineData("with space", "'with space'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$HOME", "'$HOME'")]
    [InlineData("", "''")]
    public void WordsAreQuotedForBashOnlyWhenTheyNeedIt(string word, string quoted) => Assert.Equal(quoted, SlurmScripts.Quote(word));

    [Theory]
    [InlineData("time", "--time '2h' is not a Slurm time limit")]
    [InlineData("shard", "--shards 8 is not a shard of mnist10k-uniform-8, which has shards 0..7")]
    [InlineData("order", "--shards must be distinct and ascending")]
    [InlineData("relative", "must be absolute paths")]
    [InlineData("space", "contains white space")]
    [InlineData("cpus", "--cpus-per-task (0)")]
    [InlineData("memory", "--mem 'lots' is not a Slurm memory size")]
    [InlineData("router", "--router-kinds naive")]
    [InlineData("option", "--sbatch-option 'qos=high' is not one sbatch option")]
    public void SpecificationsSbatchWouldRefuseAreRejectedNamingTheOption(string what, string message)
    {
        var spec = what switch
        {
            "time" => Spec(s => s with { Time = "2h" }),
            "shard" => Spec(s => s with { Shards = [0, 8] }),
            "order" => Spec(s => s with { Shards = [2, 1] }),
            "relative" => Spec(s => s with { Registry = "reg" }),
            "space" => Spec(s => s with { JobDirectory = "/shared/my jobs" }),
            "cpus" => Spec(s => s with { CpusPerTask = 0 }),
            "memory" => Spec(s => s with { Memory = "lots" }),
            "router" => Spec(s => s with { RouterKinds = [RouterKind.Naive] }),
            _ => Spec(s => s with { ExtraSbatchOptions = ["qos=high"] }),
        };
        var error = Assert.Throws<ArgumentException>(() => spec.Validate(shardCount: 8));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1-00:00:00")]
    [InlineData("90")]
    [InlineData("30:00")]
    [InlineData("2-12")]
    public void SlurmTimeFormatsAreAccepted(string time) => Spec(s => s with { Time = time }).Validate(shardCount: 8);

    [Fact]
    public void ScontrolRecordsOfAnArrayAreReadWithTheirTasksStatesAndRestarts()
    {
        const string Output =
            "JobId=12 ArrayJobId=10 ArrayTaskId=2 JobName=cdm-x-shards UserId=root(0) JobState=RUNNING Reason=None Dependency=(null) Requeue=1 Restarts=1 BatchFlag=1 ExitCode=0:0 Command=/a b/c\n" +
            "JobId=11 ArrayJobId=10 ArrayTaskId=0 JobName=cdm-x-shards JobState=FAILED Reason=NonZeroExitCode Restarts=0 ExitCode=2:0\n" +
            "JobId=10 ArrayJobId=10 ArrayTaskId=4-6,8%2 JobName=cdm-x-shards JobState=PENDING Reason=Resources Restarts=0 ExitCode=0:0\n" +
            "\n" +
            "JobId=13 JobName=cdm-x-compose JobState=PENDING Reason=Dependency Restarts=0 ExitCode=0:0\n";
        var jobs = SlurmJobState.Parse(Output);
        Assert.Equal(4, jobs.Count);
        Assert.Equal(("12", "10", "RUNNING", "None", 1), (jobs[0].JobId, jobs[0].ArrayJobId, jobs[0].State, jobs[0].Reason, jobs[0].Restarts));
        Assert.Equal([2], jobs[0].ArrayTasks);
        Assert.True(jobs[1].Finished);
        Assert.Equal("2:0", jobs[1].ExitCode);
        Assert.Equal([4, 5, 6, 8], jobs[2].ArrayTasks);
        Assert.False(jobs[2].Finished);
        Assert.Null(jobs[3].ArrayJobId);
        Assert.Empty(jobs[3].ArrayTasks);
        Assert.Equal("Dependency", jobs[3].Reason);
    }

    [Theory]
    [InlineData("3", new[] { 3 })]
    [InlineData("[0-3]", new[] { 0, 1, 2, 3 })]
    [InlineData("0-15:5", new[] { 0, 5, 10, 15 })]
    public void ArrayTaskListsExpand(string text, int[] expected) => Assert.Equal(expected, SlurmJobState.ParseTaskIds(text));

    [Fact]
    public void AMalformedArrayTaskListIsAFormatError() =>
        Assert.Contains("is not a Slurm array task list", Assert.Throws<FormatException>(() => SlurmJobState.ParseTaskIds("a-b")).Message, StringComparison.Ordinal);
}

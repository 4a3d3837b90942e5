using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>Training-free weights from each shard model's own density along the stochastic sampling path (Ito density estimator, SuperDiff arXiv 2412.17762).</summary>
/// <remarks>
/// For the VP forward SDE dx = f dt + g dW with f = -beta x / 2 and g^2 = beta, Ito's lemma plus the Fokker-Planck equation give, along
/// any path whose noise has variance g^2 dtau, d log q^i = &lt;dx, s_i&gt; + [div f + &lt;f - (g^2/2) s_i, s_i&gt;] dtau. The divergence is the
/// same for every shard and cancels in the softmax, so per step (t -> t', beta dtau = log(alphabar_t' / alphabar_t), s_i evaluated at the
/// left point x_t) the increment is &lt;x_t' - x_t, s_i&gt; - (beta dtau / 2) &lt;x_t + s_i, s_i&gt;, with s_i = (sqrt(alphabar) x0_i - x) / (1 - alphabar).
/// All log q^i start equal (shared Gaussian prior) and w = softmax_i(log q^i + log prior_i).
/// Valid along ancestral/SDE paths; on a deterministic (DDIM eta = 0) path the divergence term would be needed instead.
/// <para>
/// With sparse composition a shard left unevaluated for a sample has no score to integrate, so its log-density stops updating and it is
/// dropped for that sample for the rest of the path (weight exactly 0; the kept weights renormalize). Why that is safe: the forward chain
/// is shard -> x_0 -> x_t -> x_t' (t' &gt; t), so P(i | x_T, ..., x_t) = P(i | x_t) = w_i(x_t): along the mixture's reverse path the exact
/// weight of a shard is a non-negative martingale in reverse time. Hence, once w_i &lt; threshold, its expected weight at every later step
/// stays below the threshold, and by Ville's maximal inequality it ever climbs back to a weight a (its log-odds rising by log(a / threshold)
/// or more) with probability below threshold / a: at threshold 0.01, back to 0.5 in under 2 % of paths. This holds for exact weights;
/// with learned shards and this discretized estimator it is an approximation, and `cdm compose bench` measures how often a dropped
/// shard's dense weight came back (docs/benchmarks.md, "Sparse composition").
/// </para>
/// </remarks>
public sealed class ItoDensityRouter : IPathRouter
{
    private readonly ShardPriors _priors;
    private readonly NoiseSchedule _schedule;
    private bool _begun;
    private Tensor? _logDensity;
    private Tensor? _alive;
    private Tensor? _previousX;
    private Tensor? _previousT;
    private Tensor? _previousScores;

    /// <summary>A router for shards trained with <paramref name="schedule"/> and mixture priors <paramref name="priors"/>.</summary>
    public ItoDensityRouter(ShardPriors priors, NoiseSchedule schedule)
    {
        _priors = priors ?? throw new ArgumentNullException(nameof(priors));
        _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
    }

    /// <inheritdoc />
    public int ShardCount => _priors.Count;

    /// <summary>The accumulated log q^i [B, N] (float64, relative: the shared terms are dropped), or null before the first step.</summary>
    public Tensor? LogDensity => _logDensity;

    /// <inheritdoc />
    public void BeginPath(int batch)
    {
        foreach (var state in new[] { _logDensity, _alive, _previousX, _previousT, _previousScores })
        {
            state?.Dispose();
        }

        _logDensity = _alive = _previousX = _previousT = _previousScores = null;
        _begun = true;
    }

    /// <inheritdoc />
    public Tensor Weights(Tensor x, Tensor t, Conditioning conditioning, ShardMask mask)
    {
        if (!_begun)
        {
            throw new InvalidOperationException(
                "Ito density weights follow one sampling path: call BeginSampling on the composed denoiser first (every ISampler does).");
        }

        using var scope = NewDisposeScope();
        if (_logDensity is null)
        {
            _logDensity = zeros(x.shape[0], ShardCount, ScalarType.Float64, x.device).DetachFromDisposeScope();
            _alive = ones(x.shape[0], ShardCount, ScalarType.Bool, x.device).DetachFromDisposeScope();
        }
        else
        {
            Advance(x, t);
        }

        var log = _logDensity.to(ScalarType.Float32) + _priors.Log(conditioning, x.shape[0], x.device);
        log = log.masked_fill(_alive!.logical_not(), double.NegativeInfinity);
        return RouterMath.NormalizeLogWeights(log, mask).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Observe(Tensor x, Tensor t, Tensor shardX0, Tensor evaluated)
    {
        using var scope = NewDisposeScope();
        var batch = x.shape[0];
        var flatX = x.reshape(batch, -1).to(ScalarType.Float64);
        var a = _schedule.Gather(_schedule.SqrtAlphasCumprod, t, [batch, 1, 1]).to(ScalarType.Float64);
        var variance = _schedule.Gather(_schedule.SqrtOneMinusAlphasCumprod, t, [batch, 1, 1]).to(ScalarType.Float64).square();
        var scores = (a * shardX0.reshape(batch, ShardCount, -1).to(ScalarType.Float64) - flatX.unsqueeze(1)) / variance;
        Replace(ref _previousX, flatX);
        Replace(ref _previousT, t.to(ScalarType.Int64).clone());
        Replace(ref _previousScores, scores);
        var alive = _alive!.logical_and(evaluated);
        Replace(ref _alive, alive);
    }

    private void Advance(Tensor x, Tensor t)
    {
        if (_previousX is null)
        {
            throw new InvalidOperationException("Ito density weights need the shard predictions of the previous step; the composed denoiser did not report them.");
        }

        var batch = x.shape[0];
        if (batch != _previousX.shape[0])
        {
            throw new InvalidOperationException(
                $"The batch changed from {_previousX.shape[0]} to {batch} within one sampling path; Ito weights track each sample's path, so call BeginSampling for a new batch.");
        }

        var current = t.to(ScalarType.Int64);
        if (current.ge(_previousT!).any().item<bool>())
        {
            throw new InvalidOperationException(
                "Ito density weights need timesteps to decrease at every denoiser call of a path (one call per step); got a repeated or increasing timestep.");
        }

        var flatX = x.reshape(batch, -1).to(ScalarType.Float64);
        var dx = (flatX - _previousX).unsqueeze(1);
        var cumprod = tensor(_schedule.AlphasCumprod, ScalarType.Float64, x.device);
        var betaDtau = (cumprod.index_select(0, current) / cumprod.index_select(0, _previousT!)).log().unsqueeze(1);
        var s = _previousScores!;
        var increment = (dx * s).sum(2) - 0.5 * betaDtau * ((_previousX.unsqueeze(1) + s) * s).sum(2);
        var updated = _logDensity!.add(increment.masked_fill(_alive!.logical_not(), 0.0));
        Replace(ref _logDensity, updated);
    }

    // Path state outlives every per-step dispose scope, so it is detached and disposed explicitly when replaced.
    private static void Replace(ref Tensor? field, Tensor value)
    {
        field?.Dispose();
        field = value.DetachFromDisposeScope();
    }
}

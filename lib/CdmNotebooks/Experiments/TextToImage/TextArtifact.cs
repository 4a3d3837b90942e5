namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>A trained E6 artifact in the <see cref="TextModelCache"/>: a text model, a shard's prompt context or the answerer, with how it was trained.</summary>
/// <param name="Kind">"model", "prompt" or "answerer".</param>
/// <param name="Key">The cache key (hash of kind, configuration, data identity and the start model's key for prompts and fine-tuned models).</param>
/// <param name="DataIdentity">Identity of the training data (sha256 of the scene IDs and the scene dataset content).</param>
/// <param name="TrainSteps">Optimizer steps taken.</param>
/// <param name="TrainSeconds">Wall time of the training that produced it (not of this run when cached).</param>
/// <param name="Path">Weights file (for a model, its configuration is at Path + ".json").</param>
/// <param name="FromCache">True when this run loaded it instead of training it.</param>
/// <param name="BaseFingerprintBefore">For a prompt: the base model's parameter fingerprint before tuning.</param>
/// <param name="BaseFingerprintAfter">For a prompt: the fingerprint after tuning (must equal the one before: the base stays frozen).</param>
/// <param name="ParentKey">For a prompt or a fine-tuned model: the cache key of the model it started from (lineage); null for a model trained from scratch.</param>
public sealed record TextArtifact(
    string Kind,
    string Key,
    string DataIdentity,
    int TrainSteps,
    double TrainSeconds,
    string Path,
    bool FromCache,
    string? BaseFingerprintBefore = null,
    string? BaseFingerprintAfter = null,
    string? ParentKey = null);

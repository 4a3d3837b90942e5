namespace CdmNotebooks.Experiments;

/// <summary>The experiments `cdm reproduce` knows, by name, in the order of the paper.</summary>
public static class ExperimentCatalog
{
    /// <summary>All experiments; each experiment class adds itself to this list.</summary>
    public static IReadOnlyList<IExperiment> All { get; } = new IExperiment[]
    {
        new Table1.Table1Experiment(),
        new Convergence.ConvergenceExperiment(),
        new Recipe.RecipeExperiment(),
        new Forgetting.ForgettingExperiment(),
        new Continual.ContinualExperiment(),
        new Attribution.AttributionExperiment(),
        new Memorization.MemorizationExperiment(),
        new TextToImage.TextToImageExperiment(),
        new AccessRights.AccessRightsExperiment(),
    };

    /// <summary>The experiment called <paramref name="name"/>, or an error listing the known names.</summary>
    public static IExperiment Get(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"Unknown experiment '{name}'. Known: {string.Join(", ", All.Select(e => e.Name))}.", nameof(name));
}

using System.Collections.Immutable;
using CdmNotebooks.Reporting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace CdmNotebooks.Kernel;

/// <summary>The C# state of one notebook: Roslyn script submissions chained so that each cell sees the variables of the previous ones.</summary>
public sealed class ScriptSession
{
    private static readonly CSharpParseOptions s_parseOptions =
        CSharpParseOptions.Default.WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest);

    private static readonly SymbolDisplayFormat s_inspectFormat = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        memberOptions: SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeContainingType,
        parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName | SymbolDisplayParameterOptions.IncludeDefaultValue,
        localOptions: SymbolDisplayLocalOptions.IncludeType,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    private readonly NotebookGlobals _globals;
    private readonly ScriptOptions _options;
    private ScriptState<object>? _state;

    /// <summary>A session whose cells see <paramref name="globals"/> and the library, TorchSharp and Plotly.NET by default.</summary>
    public ScriptSession(NotebookGlobals globals)
    {
        _globals = globals;
        _options = DefaultOptions();
    }

    /// <summary>The namespaces and static classes every cell imports.</summary>
    public static IReadOnlyList<string> DefaultImports { get; } = BuildImports();

    /// <summary>Compiles and runs <paramref name="code"/> as cell number <paramref name="executionCount"/> on the calling thread.</summary>
    /// <remarks>A cell that throws keeps the variables it declared before the throw, as later cells continue from its state.</remarks>
    public CellOutcome Execute(string code, int executionCount)
    {
        var options = _options.WithFilePath($"cell[{executionCount}]");
        ScriptState<object> state;
        try
        {
            var run = _state is null
                ? CSharpScript.Create(code, options, typeof(NotebookGlobals)).RunAsync(_globals, _ => true)
                : _state.ContinueWithAsync(code, options, _ => true);
            state = run.GetAwaiter().GetResult();
        }
        catch (CompilationErrorException error)
        {
            return CellErrors.FromDiagnostics(error.Diagnostics);
        }

        _state = state;
        if (state.Exception is not null)
        {
            return CellErrors.FromException(state.Exception);
        }

        return CellOutcome.Success(state.ReturnValue, EndsWithExpression(state.Script));
    }

    /// <summary>True when <paramref name="code"/> is a whole submission (no open braces, strings or statements).</summary>
    public static bool IsComplete(string code) =>
        SyntaxFactory.IsCompleteSubmission(SyntaxFactory.ParseSyntaxTree(code, s_parseOptions));

    /// <summary>Names that can complete the identifier ending at <paramref name="cursor"/>: members after a dot, otherwise everything in scope.</summary>
    public (int Start, IReadOnlyList<string> Matches) Complete(string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var start = cursor;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_'))
        {
            start--;
        }

        var prefix = code[start..cursor];
        var baseScript = _state?.Script ?? CSharpScript.Create("", _options, typeof(NotebookGlobals));
        var compilation = baseScript.ContinueWith(code, _options).GetCompilation();
        var tree = compilation.SyntaxTrees.Last();
        var model = compilation.GetSemanticModel(tree);
        var symbols = start > 0 && code[start - 1] == '.'
            ? MemberSymbols(model, tree.GetRoot().FindToken(start - 1), start)
            : model.LookupSymbols(start);
        var matches = symbols
            .Where(symbol => symbol.CanBeReferencedByName && symbol.Name.StartsWith(prefix, StringComparison.Ordinal))
            .Select(symbol => symbol.Name)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        return (start, matches);
    }

    /// <summary>A one-line description (signature and kind) of the symbol under <paramref name="cursor"/>, or null when there is none.</summary>
    public string? Inspect(string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var baseScript = _state?.Script ?? CSharpScript.Create("", _options, typeof(NotebookGlobals));
        var compilation = baseScript.ContinueWith(code, _options).GetCompilation();
        var tree = compilation.SyntaxTrees.Last();
        var model = compilation.GetSemanticModel(tree);
        var root = tree.GetRoot();
        // The cursor usually sits just after the name the user typed, so the token before it is tried too.
        foreach (var position in new[] { cursor, cursor - 1 })
        {
            if (position < 0 || position >= root.FullSpan.End)
            {
                continue;
            }

            var node = root.FindToken(position).Parent;
            var info = node is null ? default : model.GetSymbolInfo(node);
            var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault() ?? (node is null ? null : model.GetDeclaredSymbol(node));
            if (symbol is not null)
            {
                return $"{symbol.ToDisplayString(s_inspectFormat)} ({symbol.Kind.ToString().ToLowerInvariant()})";
            }
        }

        return null;
    }

    // A script's value is its trailing expression written without a semicolon (Roslyn's own test for it is internal).
    private static bool EndsWithExpression(Script script) =>
        script.GetCompilation().SyntaxTrees.Last().GetRoot() is CompilationUnitSyntax unit
        && unit.Members.LastOrDefault() is GlobalStatementSyntax { Statement: ExpressionStatementSyntax statement }
        && statement.SemicolonToken.IsMissing;

    private static ImmutableArray<ISymbol> MemberSymbols(SemanticModel model, SyntaxToken dot, int position)
    {
        ExpressionSyntax? target = dot.Parent switch
        {
            MemberAccessExpressionSyntax access => access.Expression,
            QualifiedNameSyntax qualified => qualified.Left,
            _ => null,
        };
        if (target is null)
        {
            return ImmutableArray<ISymbol>.Empty;
        }

        // A type or namespace before the dot offers its static members or nested names; a value offers instance members.
        if (model.GetSymbolInfo(target).Symbol is INamespaceOrTypeSymbol container)
        {
            return container is ITypeSymbol
                ? model.LookupStaticMembers(position, container)
                : model.LookupNamespacesAndTypes(position, container);
        }

        var type = model.GetTypeInfo(target).Type;
        return type is null
            ? ImmutableArray<ISymbol>.Empty
            : model.LookupSymbols(position, type, includeReducedExtensionMethods: true).Where(s => !s.IsStatic).ToImmutableArray();
    }

    private static ScriptOptions DefaultOptions()
    {
        // Cells may use anything the kernel process can load: the framework, the CDM library and its packages.
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        var directory = Directory.GetCurrentDirectory();
        return ScriptOptions.Default
            .WithReferences(trusted.Select(path => MetadataReference.CreateFromFile(path)))
            .WithImports(DefaultImports)
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithEmitDebugInformation(true)
            .WithFileEncoding(System.Text.Encoding.UTF8)
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(directory))
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(directory));
    }

    private static IReadOnlyList<string> BuildImports()
    {
        // Every namespace of the library that has public types, so new areas (Data, Diffusion, ...) are imported as they land.
        var library = typeof(ImageGrid).Assembly.GetExportedTypes()
            .Select(type => type.Namespace)
            .OfType<string>()
            .Distinct()
            .Order(StringComparer.Ordinal);
        return new[]
        {
            "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Text", "System.Threading",
            "System.Threading.Tasks", "TorchSharp", "TorchSharp.torch", "Plotly.NET.CSharp",
        }.Concat(library).ToList();
    }
}

using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace SafeMigrations.Analyzers.Tests.Verifiers;

/// <summary>Runs one analyzer over a multi-file migrations project (see <see cref="HistorySource"/>), its DbContext included.</summary>
public static class HistoryVerifier
{
    /// <summary>Runs <typeparamref name="TAnalyzer"/> over the files (path, source); markup in any of them gives the expected diagnostics.</summary>
    public static Task VerifyAsync<TAnalyzer>(params (string Path, string Source)[] files)
        where TAnalyzer : DiagnosticAnalyzer, new() =>
        VerifyAsync<TAnalyzer>(System.Array.Empty<DiagnosticResult>(), files);

    /// <summary>Same, with explicit expected diagnostics besides the markup.</summary>
    public static Task VerifyAsync<TAnalyzer>(DiagnosticResult[] expected, params (string Path, string Source)[] files)
        where TAnalyzer : DiagnosticAnalyzer, new() =>
        VerifyWithConfigAsync<TAnalyzer>(null, expected, files);

    /// <summary>Same, with an .editorconfig for every file (<c>[*.cs]</c> section added for you) when <paramref name="editorConfig"/> is set.</summary>
    public static Task VerifyWithConfigAsync<TAnalyzer>(string? editorConfig, DiagnosticResult[] expected, params (string Path, string Source)[] files)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerVerifier<TAnalyzer>.Test();
        if (editorConfig != null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig + "\n"));
        }

        test.TestState.Sources.Add(("/0/AppDbContext.cs", HistorySource.Context));
        foreach (var file in files)
        {
            test.TestState.Sources.Add(("/0/" + file.Path, file.Source));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }
}

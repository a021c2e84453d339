using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace SafeMigrations.Analyzers.Tests.Verifiers;

/// <summary>
/// Runs one analyzer over test sources compiled against the real EF Core + Npgsql assemblies. Expected diagnostics
/// are written inline as markup: <c>{|SM0001:migrationBuilder.CreateIndex(...)|}</c>.
/// </summary>
public static class CSharpAnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, DiagnosticSeverity.Warning);

    /// <summary>Verifies that exactly the markup-annotated diagnostics (plus <paramref name="expected"/>) are reported.</summary>
    public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected) =>
        VerifyAnalyzerAsync(source, editorConfig: null, expected);

    /// <summary>Same, with an .editorconfig for the test files (<c>[*.cs]</c> section added for you).</summary>
    public static Task VerifyAnalyzerAsync(string source, string? editorConfig, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        if (editorConfig != null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig + "\n"));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>The underlying test, for more files (e.g. a Designer.cs) or other settings.</summary>
    public sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        public Test()
            : this(withEf: true)
        {
        }

        public Test(bool withEf)
        {
            ReferenceAssemblies = TestReferences.None;
            TestState.AdditionalReferences.AddRange(withEf ? TestReferences.All : TestReferences.Framework);

            // A rule may have several descriptors of one ID (other message shapes): markup takes the first.
            MarkupOptions = MarkupOptions.UseFirstDescriptor;
        }
    }
}

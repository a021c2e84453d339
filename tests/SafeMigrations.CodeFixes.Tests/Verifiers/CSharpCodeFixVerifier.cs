using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using SafeMigrations.Analyzers.Tests.Verifiers;

namespace SafeMigrations.CodeFixes.Tests.Verifiers;

/// <summary>
/// Applies one fixer to test sources compiled against the real EF Core + Npgsql + SafeMigrations assemblies, with
/// EVERY SafeMigrations analyzer running: the fixed code must compile and carry no SafeMigrations diagnostic at all
/// (a fix must not trade one hazard for another). Fix All in document, project and solution is checked too.
/// </summary>
public static class CSharpCodeFixVerifier<TFixer>
    where TFixer : CodeFixProvider, new()
{
    /// <summary>
    /// Verifies the markup-annotated diagnostics in <paramref name="source"/> (<c>{|SM0001:...|}</c>), applies the
    /// fix (one by one, and Fix All) and compares with <paramref name="fixedSource"/>, which must be diagnostic-free.
    /// </summary>
    public static Task VerifyCodeFixAsync(string source, string fixedSource, int? iterations = null)
    {
        var test = new Test { TestCode = source, FixedCode = fixedSource };
        if (iterations is { } count)
        {
            test.NumberOfIncrementalIterations = count;
            test.NumberOfFixAllIterations = count;
        }

        return test.RunAsync(CancellationToken.None);
    }

    public sealed class Test : CSharpCodeFixTest<EmptyAnalyzer, TFixer, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = TestReferences.None;
            TestState.AdditionalReferences.AddRange(TestReferences.All);
            FixedState.AdditionalReferences.AddRange(TestReferences.All);
            BatchFixedState.AdditionalReferences.AddRange(TestReferences.All);

            // A rule may have several descriptors of one ID (other message shapes): markup takes the first.
            MarkupOptions = MarkupOptions.UseFirstDescriptor;
        }

        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => RuleAnalyzers.All;
    }
}

/// <summary>Placeholder type argument: the real analyzers come from <see cref="RuleAnalyzers.All"/>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EmptyAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray<DiagnosticDescriptor>.Empty;

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>
    /// Base of a rule that judges something of the whole project once per compilation, at its end (the statistics
    /// snapshot, the options), not a migration: it reports at no source location, and only in a compilation with EF
    /// Core migrations.
    /// </summary>
    public abstract class CompilationRuleAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Judges the compilation; <paramref name="state"/> is the shared per-compilation state (EF Core is referenced).</summary>
        internal abstract void Analyze(CompilationAnalysisContext context, MigrationCompilationState state);

        public sealed override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationAction(compilation =>
            {
                if (MigrationCompilationState.Get(compilation.Compilation) is { } state)
                {
                    Analyze(compilation, state);
                }
            });
        }
    }
}

using System;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis.Diagnostics;

namespace SafeMigrations.Analyzers.Tests.Verifiers;

/// <summary>Every analyzer the SafeMigrations analyzer assembly declares, as a user's build would load them.</summary>
public static class RuleAnalyzers
{
    public static readonly ImmutableArray<DiagnosticAnalyzer> All =
        typeof(SafeMigrations.Analyzers.RuleIdentifiers).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
}

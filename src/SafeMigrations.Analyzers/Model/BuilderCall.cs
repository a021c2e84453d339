using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace SafeMigrations.Analyzers.Model
{
    /// <summary>A chained <c>.Annotation(name, value)</c> or <c>.OldAnnotation(name, value)</c> call.</summary>
    public sealed class StepAnnotation
    {
        internal StepAnnotation(string? name, StepValue value, bool isOld)
        {
            Name = name;
            Value = value;
            IsOld = isOld;
        }

        /// <summary>Annotation name when it is a constant, e.g. <c>Npgsql:CreatedConcurrently</c>.</summary>
        public string? Name { get; }

        public StepValue Value { get; }

        /// <summary>True for <c>OldAnnotation(...)</c> (describes the state before an Alter operation).</summary>
        public bool IsOld { get; }

        /// <summary><c>.Annotation("SafeMigrations:Phase", "Contract")</c>: the step is marked for the contract phase.</summary>
        internal bool MarksContractPhase =>
            !IsOld && Name == Reading.EfSymbols.PhaseAnnotation && Value.AsString() == Reading.EfSymbols.ContractPhaseValue;

        public override string ToString() => (IsOld ? "Old:" : string.Empty) + Name + "=" + Value;
    }

    /// <summary>
    /// One builder method call with its arguments by parameter name and the annotations chained on its result.
    /// Base of <see cref="MigrationStep"/> (a <c>MigrationBuilder</c> call) and <see cref="ColumnDefinition"/>
    /// (a <c>table.Column&lt;T&gt;(...)</c> call inside <c>CreateTable</c>).
    /// </summary>
    public abstract class BuilderCall
    {
        private protected BuilderCall(InvocationExpressionSyntax syntax, IMethodSymbol method, IInvocationOperation? operation, ImmutableDictionary<string, StepValue> arguments, ImmutableArray<StepAnnotation> annotations)
        {
            Syntax = syntax;
            Method = method;
            Operation = operation;
            Arguments = arguments;
            Annotations = annotations;
        }

        /// <summary>The builder method's invocation (without the chained calls).</summary>
        public InvocationExpressionSyntax Syntax { get; }

        /// <summary>The invocation's operation when the method was read by binding; null when it was read from syntax.</summary>
        public IInvocationOperation? Operation { get; }

        /// <summary>Method name: <c>CreateIndex</c>, <c>AddColumn</c>, <c>Sql</c>, <c>Column</c>, ...</summary>
        public string MethodName => Method.Name;

        /// <summary>
        /// The method called. Read from syntax, <c>CreateTable</c> is its generic definition (the anonymous columns type
        /// is not inferred without binding); every other generic method is constructed with its written type argument.
        /// </summary>
        public IMethodSymbol Method { get; }

        /// <summary>The generic type argument of <c>AddColumn&lt;T&gt;</c>, <c>AlterColumn&lt;T&gt;</c>, <c>Column&lt;T&gt;</c>; null otherwise.</summary>
        public ITypeSymbol? TypeArgument => Method.TypeArguments.Length == 1 && Method.TypeArguments[0].TypeKind != TypeKind.TypeParameter && !Method.TypeArguments[0].IsAnonymousType ? Method.TypeArguments[0] : null;

        /// <summary>Where to report: the invocation.</summary>
        public Location Location => Syntax.GetLocation();

        /// <summary>Arguments by parameter name (written by name or position, or omitted: then <see cref="StepValue.IsOmitted"/>).</summary>
        public ImmutableDictionary<string, StepValue> Arguments { get; }

        /// <summary>Chained annotations in source order.</summary>
        public ImmutableArray<StepAnnotation> Annotations { get; }

        /// <summary>The argument for <paramref name="parameterName"/>; <see cref="StepValue.IsOmitted"/> and unknown when this overload has no such parameter.</summary>
        public StepValue this[string parameterName] =>
            Arguments.TryGetValue(parameterName, out var value) ? value : StepValue.Missing;

        /// <summary>True when the parameter exists on the called overload and the argument was written.</summary>
        public bool HasArgument(string parameterName) => Arguments.TryGetValue(parameterName, out var value) && !value.IsOmitted;

        /// <summary>The constant string argument, or null.</summary>
        public string? GetString(string parameterName) => this[parameterName].AsString();

        /// <summary>The constant bool argument (the default when omitted), or null when unknown.</summary>
        public bool? GetBool(string parameterName) => this[parameterName].AsBool();

        /// <summary>The last annotation named <paramref name="name"/> (not an OldAnnotation), or null.</summary>
        public StepAnnotation? FindAnnotation(string name)
        {
            for (var i = Annotations.Length - 1; i >= 0; i--)
            {
                if (!Annotations[i].IsOld && string.Equals(Annotations[i].Name, name, StringComparison.Ordinal))
                {
                    return Annotations[i];
                }
            }

            return null;
        }

        /// <summary>True when an annotation <paramref name="name"/> is chained with the constant value <c>true</c>.</summary>
        public bool HasTrueAnnotation(string name) => FindAnnotation(name)?.Value.AsBool() == true;
    }

    /// <summary>A <c>table.Column&lt;T&gt;(...)</c> call in the <c>columns:</c> lambda of <c>CreateTable</c>.</summary>
    public sealed class ColumnDefinition : BuilderCall
    {
        internal ColumnDefinition(InvocationExpressionSyntax syntax, IMethodSymbol method, IInvocationOperation? operation, ImmutableDictionary<string, StepValue> arguments, ImmutableArray<StepAnnotation> annotations, string? propertyName)
            : base(syntax, method, operation, arguments, annotations)
        {
            PropertyName = propertyName;
        }

        /// <summary>The anonymous-type property the column is assigned to (<c>Id = table.Column&lt;int&gt;(...)</c>).</summary>
        public string? PropertyName { get; }

        /// <summary>The column name: the <c>name:</c> argument, else the property name (as EF does).</summary>
        public string? Name => this["name"].HasConstant && this["name"].Constant is string name ? name : PropertyName;

        public string? StoreType => GetString("type");

        public bool? Nullable => GetBool("nullable");

        public StepValue DefaultValue => this["defaultValue"];

        public string? DefaultValueSql => GetString("defaultValueSql");

        public string? ComputedColumnSql => GetString("computedColumnSql");

        /// <summary><c>stored:</c> (a <c>bool?</c>); null when omitted or unknown.</summary>
        public bool? Stored => GetBool("stored");

        /// <summary>The enum member of <c>.Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.X)</c>, e.g. <c>IdentityByDefaultColumn</c>.</summary>
        public string? ValueGenerationStrategy => FindAnnotation(NpgsqlAnnotations.ValueGenerationStrategy)?.Value.EnumMember;
    }

    /// <summary>Npgsql annotation names the rules read.</summary>
    public static class NpgsqlAnnotations
    {
        public const string CreatedConcurrently = "Npgsql:CreatedConcurrently";
        public const string ValueGenerationStrategy = "Npgsql:ValueGenerationStrategy";

        public const string IdentityByDefaultColumn = "IdentityByDefaultColumn";
        public const string IdentityAlwaysColumn = "IdentityAlwaysColumn";
        public const string SerialColumn = "SerialColumn";
    }
}

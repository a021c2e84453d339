using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace SafeMigrations.Analyzers.Model
{
    /// <summary>
    /// What the reader could learn about an argument value: a compile-time constant, an array of values, an enum
    /// member, or nothing (<see cref="IsKnown"/> false: computed at run time).
    /// </summary>
    public sealed class StepValue
    {
        internal static readonly StepValue Missing = new StepValue(null, null, isOmitted: true, default, default, null, null);

        private StepValue(SyntaxNode? syntax, IOperation? operation, bool isOmitted, Optional<object?> constant, ImmutableArray<StepValue> elements, string? enumMember, ITypeSymbol? typeOf)
        {
            Syntax = syntax;
            Operation = operation;
            IsOmitted = isOmitted;
            HasConstant = constant.HasValue;
            Constant = constant.HasValue ? constant.Value : null;
            Elements = elements;
            EnumMember = enumMember;
            TypeOf = typeOf;
        }

        /// <summary>The value as written (conversions unwrapped); null when omitted or when the parameter does not exist on this overload.</summary>
        public SyntaxNode? Syntax { get; }

        /// <summary>
        /// The value's operation with conversions unwrapped, only when the method was read by binding (see
        /// <c>Reading/SyntaxMigrationReader</c>): null when read from syntax or when the parameter does not exist.
        /// </summary>
        public IOperation? Operation { get; }

        /// <summary>The argument was not written: the parameter's default value applies (still readable through <see cref="Constant"/>).</summary>
        public bool IsOmitted { get; }

        /// <summary>The value is a compile-time constant (including null).</summary>
        public bool HasConstant { get; }

        /// <summary>The constant (string, bool, int, enum underlying value, null...), when <see cref="HasConstant"/>.</summary>
        public object? Constant { get; }

        /// <summary>Elements of an array creation (<c>new[] { "a", "b" }</c>); default when the value is not one.</summary>
        public ImmutableArray<StepValue> Elements { get; }

        /// <summary>The member name of an enum field reference, e.g. <c>IdentityByDefaultColumn</c>.</summary>
        public string? EnumMember { get; }

        /// <summary>The type of a <c>typeof(T)</c> value.</summary>
        public ITypeSymbol? TypeOf { get; }

        /// <summary>True when anything about the value is known at compile time.</summary>
        public bool IsKnown => HasConstant || !Elements.IsDefault || EnumMember != null || TypeOf != null;

        /// <summary>True for a constant null (also an omitted argument whose default is null).</summary>
        public bool IsNull => HasConstant && Constant is null;

        public string? AsString() => HasConstant ? Constant as string : null;

        public bool? AsBool() => HasConstant && Constant is bool b ? b : (bool?)null;

        public int? AsInt() => HasConstant && Constant is int i ? i : (int?)null;

        /// <summary>The elements as strings when every one is a constant string (or null); otherwise null.</summary>
        public ImmutableArray<string?>? AsStrings()
        {
            if (Elements.IsDefault)
            {
                return null;
            }

            var builder = ImmutableArray.CreateBuilder<string?>(Elements.Length);
            foreach (var element in Elements)
            {
                if (!element.HasConstant || (element.Constant != null && !(element.Constant is string)))
                {
                    return null;
                }

                builder.Add((string?)element.Constant);
            }

            return builder.MoveToImmutable();
        }

        public override string ToString() =>
            HasConstant ? (Constant?.ToString() ?? "null")
            : EnumMember ?? (Elements.IsDefault ? "?" : "[" + string.Join(", ", Elements) + "]");

        internal static StepValue Read(IOperation? operation, bool omitted = false)
        {
            if (operation is null)
            {
                return Missing;
            }

            var value = Unwrap(operation);
            Optional<object?> constant = value.ConstantValue.HasValue ? value.ConstantValue : operation.ConstantValue;
            var elements = default(ImmutableArray<StepValue>);
            string? enumMember = null;
            ITypeSymbol? typeOf = null;

            switch (value)
            {
                case IArrayCreationOperation { Initializer: { } initializer }:
                    var builder = ImmutableArray.CreateBuilder<StepValue>(initializer.ElementValues.Length);
                    foreach (var element in initializer.ElementValues)
                    {
                        builder.Add(Read(element));
                    }

                    elements = builder.MoveToImmutable();
                    break;
                case IFieldReferenceOperation { Field: { ContainingType: { TypeKind: TypeKind.Enum } } field }:
                    enumMember = field.Name;
                    break;
                case ITypeOfOperation typeOfOperation:
                    typeOf = typeOfOperation.TypeOperand;
                    break;
            }

            return new StepValue(omitted ? null : value.Syntax, value, omitted, constant, elements, enumMember, typeOf);
        }

        /// <summary>A value read from syntax: <paramref name="syntax"/> as written (null when omitted) and what is known about it.</summary>
        internal static StepValue FromSyntax(SyntaxNode? syntax, bool omitted, Optional<object?> constant, ImmutableArray<StepValue> elements = default, string? enumMember = null, ITypeSymbol? typeOf = null) =>
            new StepValue(syntax, null, omitted, constant, elements, enumMember, typeOf);

        internal static IOperation Unwrap(IOperation operation)
        {
            while (operation is IConversionOperation conversion)
            {
                operation = conversion.Operand;
            }

            return operation;
        }
    }
}

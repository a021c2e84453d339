using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace SafeMigrations.Sql.Statistics
{
    /// <summary>
    /// A small JSON reader for the statistics snapshot (objects, arrays, strings, numbers, true/false/null). The
    /// analyzers run in the compiler process on netstandard2.0, where System.Text.Json is not reliably loadable; this
    /// is all the snapshot format needs. Objects become dictionaries, arrays lists, numbers their invariant text.
    /// </summary>
    internal sealed class JsonValueReader
    {
        private readonly string _text;
        private int _position;

        private JsonValueReader(string text)
        {
            _text = text;
        }

        /// <summary>A JSON number, kept as written so a reader can ask for a long or a double.</summary>
        public sealed class Number
        {
            public Number(string text) => Text = text;

            public string Text { get; }
        }

        /// <summary>Parses one JSON value filling the whole text.</summary>
        /// <exception cref="FormatException">Naming the line and what was expected.</exception>
        public static object? Parse(string text)
        {
            var reader = new JsonValueReader(text);
            reader.SkipWhitespace();
            var value = reader.ReadValue(0);
            reader.SkipWhitespace();
            if (reader._position < text.Length)
            {
                throw reader.Error("text after the end of the document");
            }

            return value;
        }

        private object? ReadValue(int depth)
        {
            if (depth > 64)
            {
                throw Error("nesting too deep");
            }

            if (_position >= _text.Length)
            {
                throw Error("unexpected end of the text");
            }

            switch (_text[_position])
            {
                case '{':
                    return ReadObject(depth);
                case '[':
                    return ReadArray(depth);
                case '"':
                    return ReadString();
                case 't':
                    ReadWord("true");
                    return true;
                case 'f':
                    ReadWord("false");
                    return false;
                case 'n':
                    ReadWord("null");
                    return null;
                default:
                    return ReadNumber();
            }
        }

        private Dictionary<string, object?> ReadObject(int depth)
        {
            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            _position++;
            SkipWhitespace();
            if (TryTake('}'))
            {
                return result;
            }

            while (true)
            {
                SkipWhitespace();
                if (_position >= _text.Length || _text[_position] != '"')
                {
                    throw Error("expected a property name in quotes");
                }

                var name = ReadString();
                SkipWhitespace();
                Expect(':');
                SkipWhitespace();
                result[name] = ReadValue(depth + 1);
                SkipWhitespace();
                if (TryTake('}'))
                {
                    return result;
                }

                Expect(',');
            }
        }

        private List<object?> ReadArray(int depth)
        {
            var result = new List<object?>();
            _position++;
            SkipWhitespace();
            if (TryTake(']'))
            {
                return result;
            }

            while (true)
            {
                SkipWhitespace();
                result.Add(ReadValue(depth + 1));
                SkipWhitespace();
                if (TryTake(']'))
                {
                    return result;
                }

                Expect(',');
            }
        }

        private string ReadString()
        {
            _position++;
            var text = new StringBuilder();
            while (_position < _text.Length)
            {
                var c = _text[_position++];
                if (c == '"')
                {
                    return text.ToString();
                }

                if (c != '\\')
                {
                    if (c < ' ')
                    {
                        throw Error("a control character inside a string");
                    }

                    text.Append(c);
                    continue;
                }

                if (_position >= _text.Length)
                {
                    break;
                }

                var escape = _text[_position++];
                switch (escape)
                {
                    case '"': text.Append('"'); break;
                    case '\\': text.Append('\\'); break;
                    case '/': text.Append('/'); break;
                    case 'b': text.Append('\b'); break;
                    case 'f': text.Append('\f'); break;
                    case 'n': text.Append('\n'); break;
                    case 'r': text.Append('\r'); break;
                    case 't': text.Append('\t'); break;
                    case 'u':
                        if (_position + 4 > _text.Length
                            || !int.TryParse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        {
                            throw Error("a \\u escape without four hex digits");
                        }

                        text.Append((char)code);
                        _position += 4;
                        break;
                    default:
                        throw Error("an unknown escape \\" + escape);
                }
            }

            throw Error("a string without its closing quote");
        }

        private Number ReadNumber()
        {
            var start = _position;
            while (_position < _text.Length && "+-0123456789.eE".IndexOf(_text[_position]) >= 0)
            {
                _position++;
            }

            var text = _text.Substring(start, _position - start);
            if (text.Length == 0 || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                throw Error("expected a value");
            }

            return new Number(text);
        }

        private void ReadWord(string word)
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
            {
                throw Error("expected a value");
            }

            _position += word.Length;
        }

        private bool TryTake(char c)
        {
            if (_position < _text.Length && _text[_position] == c)
            {
                _position++;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            if (!TryTake(c))
            {
                throw Error("expected '" + c + "'");
            }
        }

        private void SkipWhitespace()
        {
            while (_position < _text.Length && (_text[_position] == ' ' || _text[_position] == '\t' || _text[_position] == '\n' || _text[_position] == '\r' || _text[_position] == '\uFEFF'))
            {
                _position++;
            }
        }

        private FormatException Error(string what)
        {
            var line = 1;
            for (var i = 0; i < _position && i < _text.Length; i++)
            {
                if (_text[i] == '\n')
                {
                    line++;
                }
            }

            return new FormatException("line " + line.ToString(CultureInfo.InvariantCulture) + ": " + what);
        }
    }
}

// Reads {"secret": ..., "token": ..., "iterations": N} on stdin, prints the decrypted text, then a new token of it.
using System;
using System.Text.Json;
using FletSecret.Cipher;

using JsonDocument request = JsonDocument.Parse(Console.In.ReadToEnd());
string secret = request.RootElement.GetProperty("secret").GetString()!;
string token = request.RootElement.GetProperty("token").GetString()!;
int iterations = request.RootElement.GetProperty("iterations").GetInt32();

string text = FletSecurity.Decrypt(token, secret, iterations);
Console.WriteLine(JsonSerializer.Serialize(new { plaintext = text, token = FletSecurity.Encrypt(text, secret, iterations) }));

/**
 * Reading the node's and the dashboard's JSON config files: one strict reader
 * ({@link io.wallance.config.StrictJson}) and one error type
 * ({@link io.wallance.config.ConfigException}) whose one-line message names the file and the field.
 */
package io.wallance.config;

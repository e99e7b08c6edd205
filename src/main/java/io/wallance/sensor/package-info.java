/**
 * Sensor sources and the recent readings kept for the dashboard.
 *
 * <p>A node earns its coins by sharing sensor readings (proof of sharing). The credit
 * depends only on the fact of sharing, never on the value, so the sources here only need to
 * produce plausible integer readings: a seeded {@link io.wallance.sensor.VirtualSensor}
 * by default, or a {@link io.wallance.sensor.ThermalZoneSensor} reading the Pi's CPU
 * temperature from sysfs. {@link io.wallance.sensor.SensorFactory} picks one from
 * configuration. Readings are integers in milli-units (milli-degrees Celsius), so no
 * floating point ever reaches signed bytes.
 */
package io.wallance.sensor;
